"""`heard nlu parse --batch`: one text per stdin line in, one JSON object per line out, each
saying what the safeguarding screen would do if the text were an open answer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HEARD = Path(sys.executable).parent / "heard"

LINES = [
    ("yes please", None),
    ("help me", {"kind": "unspecified", "level": "check", "source": "keyword"}),
    ("", None),
    ("I want to kill myself", {"kind": "risk_to_self", "level": "clear", "source": "keyword"}),
    (
        "he is here now with a knife",
        {"kind": "immediate_danger", "level": "clear", "source": "keyword"},
    ),
    ("nie dziękuję", None),
]


def run_batch(stdin: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HEARD_", "DATABASE_URL"))}
    env.update(HEARD_DATA_DIR=str(data_dir), HEARD_SECRET_KEY="t" * 43, RASA_URL="")
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [str(HEARD), "nlu", "parse", "--batch"],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=180,
        check=False,
    )


def test_batch_answers_each_line_in_order_with_the_screen(tmp_path: Path) -> None:
    result = run_batch("".join(f"{text}\n" for text, _ in LINES), tmp_path)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["text"] for o in out] == [text for text, _ in LINES]
    assert [o["safeguarding"] for o in out] == [expected for _, expected in LINES]
    assert out[5]["intent"]["name"] == "deny"
    assert all({"intent", "intent_ranking", "backend", "language"} <= set(o) for o in out)
