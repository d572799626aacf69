"""Line-level edits of one catalogue file (`flows/catalogue/<lang>.yaml`) that keep everything
else byte for byte: comments, order, quoting and every message nobody changed.

The catalogue YAML is the source of truth and reviewers read its diffs, so a file is never
dumped again from parsed data. Each message is a block of lines under `messages:`,

    <id>:
      standard: "..."
      easy: "..."
      status: reviewed           (optional)
      reviewed_by: "Name"        (optional)
      reviewed_text: "1a2b3c..." (optional)

and an edit rewrites only the lines of a field whose value changes, deletes the lines of a field
removed and adds lines for a field added (after the block's last field). A message missing from
the file is added after the nearest message before it in English order. Every edit is checked by
parsing the result: the edited file must hold exactly the values asked for, else `EditError`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.yamlio import safe_load

FIELD_ORDER = ("standard", "easy", "status", "reviewed_by", "reviewed_text")
_ID_LINE = re.compile(r"^  ([^\s#][^:]*):[ \t]*$")
_FIELD_LINE = re.compile(r"^    ([a-z_]+):[ \t]*(.*)$")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}


class EditError(ValueError):
    """The file's messages are not in the line shape above, or an edit did not come out as
    asked: nothing is written."""


@dataclass
class Block:
    text_id: str
    start: int  # index of the `  <id>:` line
    end: int  # index after its last field line
    fields: dict[str, int]  # field name -> line index
    comments: list[str]  # the comment lines straight above the id line, without "#"


def quoted(value: str) -> str:
    """A YAML double-quoted scalar, as the catalogue writes every text."""
    out = []
    for ch in value:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def index_messages(lines: Sequence[str]) -> tuple[int, dict[str, Block]]:
    """The `messages:` line's index and each message's block, in file order."""
    try:
        head = next(i for i, line in enumerate(lines) if line.rstrip() == "messages:")
    except StopIteration as exc:
        raise EditError("no top-level 'messages:' key") from exc
    blocks: dict[str, Block] = {}
    current: Block | None = None
    comments: list[str] = []
    for i in range(head + 1, len(lines)):
        line = lines[i].rstrip("\n")
        stripped = line.strip()
        if line and not line[0].isspace() and not stripped.startswith("#"):
            break  # the next top-level key
        if not stripped:
            current, comments = None, []
            continue
        if stripped.startswith("#"):
            current = None
            comments.append(stripped.lstrip("#").strip())
            continue
        id_match = _ID_LINE.match(line)
        if id_match:
            text_id = id_match.group(1).strip().strip("\"'")
            current = Block(text_id, i, i + 1, {}, comments)
            blocks[text_id] = current
            comments = []
            continue
        field_match = _FIELD_LINE.match(line)
        if field_match and current is not None:
            current.fields[field_match.group(1)] = i
            current.end = i + 1
            continue
        raise EditError(f"line {i + 1}: not a message id or a one-line field: {stripped[:40]!r}")
    return head, blocks


def field_value(line: str) -> object:
    match = _FIELD_LINE.match(line.rstrip("\n"))
    if match is None:
        raise EditError(f"not a field line: {line.strip()[:40]!r}")
    return safe_load(match.group(2)) if match.group(2).strip() else None


def _field_line(name: str, value: str) -> str:
    shown = value if name == "status" else quoted(value)
    return f"    {name}: {shown}\n"


Fields = Mapping[str, str | None]  # field -> new value; None removes the field


def edit_messages(text: str, edits: Mapping[str, Fields], english_order: Sequence[str]) -> str:
    """`text` with each message's fields set as `edits` says (a message not in the file is
    added). Raises `EditError` when the result does not parse to exactly those values."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    head, blocks = index_messages(lines)
    replacement: dict[int, list[str]] = {}  # line index -> lines written instead of it
    after: dict[int, list[str]] = {}  # line index -> a block's added fields, after it
    new_after: dict[int, list[str]] = {}  # line index -> new messages, after those fields
    order = {text_id: n for n, text_id in enumerate(english_order)}
    for text_id in sorted(edits, key=lambda t: order.get(t, len(order))):
        fields = edits[text_id]
        block = blocks.get(text_id)
        if block is None:
            new = [f"  {text_id}:\n"] + [
                _field_line(name, str(fields[name]))
                for name in FIELD_ORDER
                if fields.get(name) is not None
            ]
            anchor = _anchor(text_id, blocks, head, english_order)
            new_after.setdefault(anchor, []).extend(new)
            continue
        added: list[str] = []
        for name in FIELD_ORDER:
            if name not in fields:
                continue
            value = fields[name]
            if name in block.fields:
                index = block.fields[name]
                if value is None:
                    replacement[index] = []
                elif field_value(lines[index]) != value:
                    replacement[index] = [_field_line(name, value)]
            elif value is not None:
                added.append(_field_line(name, value))
        if added:
            after.setdefault(block.end - 1, []).extend(added)
    out: list[str] = []
    for index, line in enumerate(lines):
        out.extend(replacement.get(index, [line]))
        out.extend(after.get(index, []))
        out.extend(new_after.get(index, []))
    result = "".join(out)
    _check(result, edits)
    return result


def _anchor(text_id: str, blocks: Mapping[str, Block], head: int, order: Sequence[str]) -> int:
    """The line a new message goes after: the end of the nearest earlier message (English
    order) the file has, else the `messages:` line."""
    position = list(order).index(text_id) if text_id in order else len(order)
    for earlier in reversed(list(order)[:position]):
        if earlier in blocks:
            return blocks[earlier].end - 1
    return head


def _check(result: str, edits: Mapping[str, Fields]) -> None:
    try:
        data = safe_load(result)
    except Exception as exc:  # any parser failure means: do not write
        raise EditError(f"the edited file does not parse: {exc}") from exc
    messages = data.get("messages") if isinstance(data, dict) else None
    if not isinstance(messages, dict):
        raise EditError("the edited file has no messages")
    for text_id, fields in edits.items():
        body = messages.get(text_id)
        if not isinstance(body, dict):
            raise EditError(f"message {text_id}: missing after the edit")
        for name, value in fields.items():
            if body.get(name) != value:
                raise EditError(f"message {text_id}: {name} did not come out as written")
