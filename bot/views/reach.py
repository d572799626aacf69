"""Who has and has not been heard: reach by dimension against a population baseline.

Pure: the workspace reads the people (storage.repositories.reach) and the baseline, and this
module counts, protects, scores and checks. Everything a user can see (pages, API, CSV,
charts) is built from `ReachReport`, which holds only published numbers:

- Small cells. A category with 1 to 4 people is "fewer than 5"; its count, share and ratio
  are never published.
- No recovery by subtraction. Every other count, and the total, is rounded to the nearest
  multiple of 5, and `protect` hides more cells (secondary suppression) until, from
  everything published, a "fewer than 5" cell could still be any of 1 to 4
  (`tests/views/test_reach.py` checks every small table against all its possible originals).
- Shares, ratios and scores are computed from the published counts only.

The score of a dimension is 1 - total variation distance between the reached shares (people
whose category is known) and the population shares: the share of people who would have to be
"moved" for the two to match, subtracted from 1 (100%: reach mirrors the population). A
category is under-heard when its reached share is below `UNDER_HEARD` of its population share.
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.terms import CHANNELS
from storage.records import Baseline, BaselineShare, ReachPerson
from storage.vocabulary import is_district

SMALL = 5  # counts below this (and above 0) are never shown
BASE = 5  # every shown count is a multiple of this
UNDER_HEARD = 0.8  # reached share below 80% of the population share
OVER_HEARD = 1.25
NOT_KNOWN = "not_known"
SHARE_TOLERANCE = 1.0  # a dimension's shares must add up to 100 +- this (rounded tables)
MAX_BASELINE_BYTES = 256 * 1024
MAX_BASELINE_LINES = 5000
MAX_BASELINE_LINE_CHARS = 1000  # a line of a real baseline is a few dozen characters
MAX_BASELINE_ERRORS = 50  # problems listed; a count of the rest follows

# The dimensions, in the order pages show them, with their labels.
DIMENSIONS: dict[str, str] = {
    "language": "Language",
    "channel": "Channel",
    "age_band": "Age band",
    "area": "Area (postcode district)",
    "ethnic_group": "Ethnic group",
    "disability": "Disability",
    "carer": "Unpaid carer",
}
# Dimensions answered in "about you" (flows/about_you.yaml): not known without its consent.
PROFILE_DIMENSIONS = ("age_band", "area", "ethnic_group", "disability", "carer")

# Closed categories of the "about you" answers, in order, with labels.
CATEGORIES: dict[str, dict[str, str]] = {
    "age_band": {
        "under_25": "Under 25",
        "age_25_44": "25 to 44",
        "age_45_64": "45 to 64",
        "age_65_over": "65 and over",
    },
    "ethnic_group": {
        "asian": "Asian, Asian British or Asian Welsh",
        "black": "Black, Black British, Black Welsh, Caribbean or African",
        "mixed": "Mixed or multiple ethnic groups",
        "white": "White",
        "other": "Other ethnic group",
    },
    "disability": {"yes": "Disabled", "no": "Not disabled"},
    "carer": {"yes": "Provides unpaid care", "no": "Does not provide unpaid care"},
    "channel": {"sms": "SMS", "telegram": "Telegram"},
}


# --- counting


def categorise(person: ReachPerson) -> dict[str, str]:
    """The person's category in every dimension; NOT_KNOWN when they did not say, preferred not
    to say, or have not (or no longer) consented to `about_you`. Never guessed."""
    profile = person.profile if person.about_you else {}
    found = {
        "language": person.language or NOT_KNOWN,
        "channel": _channel(person.channel),
        "age_band": _closed("age_band", profile.get("age_band")),
        "area": _area(profile.get("area")),
        "ethnic_group": _ethnic_group(profile),
        "disability": _closed("disability", profile.get("disability")),
        "carer": _closed("carer", profile.get("carer")),
    }
    return found


def _channel(channel: str | None) -> str:
    # The simulator imitates SMS and Telegram: counted as what it imitates.
    if channel is None:
        return NOT_KNOWN
    return channel.removeprefix("sim-")


def _closed(dimension: str, value: str | None) -> str:
    return value if value is not None and value in CATEGORIES[dimension] else NOT_KNOWN


def _area(value: str | None) -> str:
    return value if value is not None and is_district(value) else NOT_KNOWN


def _ethnic_group(profile: Mapping[str, str]) -> str:
    first = profile.get("ethnic_group")
    if first == "mixed_or_other":  # the second step says which
        return _closed("ethnic_group", profile.get("ethnic_group_more"))
    return _closed("ethnic_group", first)


@dataclass(frozen=True)
class Counts:
    """True counts: never shown; `build_report` publishes them."""

    total: int
    by_dimension: dict[str, Counter[str]]


def count(people: Iterable[ReachPerson]) -> Counts:
    by_dimension: dict[str, Counter[str]] = {d: Counter() for d in DIMENSIONS}
    total = 0
    for person in people:
        total += 1
        for dimension, category in categorise(person).items():
            by_dimension[dimension][category] += 1
    return Counts(total, by_dimension)


# --- disclosure control


def round_to_base(n: int) -> int:
    """The nearest multiple of BASE (2 rounds down, 3 up)."""
    return BASE * ((n + BASE // 2) // BASE)


HIDDEN = -1  # a published cell hidden to protect a smaller one (secondary suppression)
WITHHELD = -2  # every cell of a dimension too small to show at all
Published = dict[str, dict[str, int | None]]  # None: fewer than 5; HIDDEN; else rounded


def _window(value: int | None) -> tuple[int, float]:
    """What a reader can tell of a true count from its published value."""
    if value is None:
        return (1, SMALL - 1)
    if value == HIDDEN:
        return (SMALL, math.inf)
    if value == WITHHELD:
        return (0, math.inf)
    if value == 0:
        return (0, 0)
    if value == BASE:  # 3 and 4 would be "fewer than 5"
        return (SMALL, BASE + BASE // 2)
    return (value - BASE // 2, value + BASE // 2)


def _total_window(total: int, published: Published) -> tuple[float, float]:
    """The true total as a reader can bound it: from its rounded value, and from each
    dimension's cells (every dimension counts the same people)."""
    low: float = max(SMALL, total - BASE // 2)
    high: float = total + BASE // 2
    for cells in published.values():
        windows = [_window(v) for v in cells.values()]
        low = max(low, sum(w[0] for w in windows))
        high = min(high, sum(w[1] for w in windows))
    return low, high


def _safe(cells: dict[str, int | None], low: float, high: float) -> bool:
    """Every "fewer than 5" cell could be any of 1 to 4 given everything else published."""
    for name, value in cells.items():
        if value is not None:
            continue
        others = [_window(v) for k, v in cells.items() if k != name]
        least = low - sum(w[1] for w in others)
        most = high - sum(w[0] for w in others)
        if least > 1 or most < SMALL - 1:
            return False
    return True


def protect(true_cells: Mapping[str, Mapping[str, int]], total: int) -> tuple[int, Published]:
    """The published counts: the total and every cell rounded to the nearest multiple of 5,
    cells of 1 to 4 as None ("fewer than 5"). Then, while a reader could narrow a "fewer than
    5" cell below "any of 1 to 4" (from the rounded total and the other cells, in any
    dimension: each published number stands for an interval of true counts, and a
    dimension's cells add up to the total), every dimension is WITHHELD: only the total is
    shown. The test is a function of published numbers only, so passing it tells a reader
    nothing new. Hiding only a second cell (classic secondary suppression), or withholding only
    the dimension that fails, was tried and refused: which cell or dimension gets hidden
    depends on the small cells, so a reader who replays the rule could narrow them again (an
    exhaustive check of small tables found such cases)."""
    published: Published = {
        d: {k: (None if is_small(v) else round_to_base(v)) for k, v in cells.items()}
        for d, cells in true_cells.items()
    }
    rounded_total = round_to_base(total)
    low, high = _total_window(rounded_total, published)
    if not all(_safe(cells, low, high) for cells in published.values()):
        for cells in published.values():
            for k in cells:
                cells[k] = WITHHELD
    return rounded_total, published


def is_small(n: int) -> bool:
    return 0 < n < SMALL


def shown(n: int | None) -> str:
    """A published count as words: "fewer than 5", "hidden", "withheld", or the number."""
    if n is None:
        return "fewer than 5"
    if n == HIDDEN:
        return "hidden"
    if n == WITHHELD:
        return "withheld"
    return f"{n:,}"


def shown_people(n: int) -> str:
    """How many people a message would go to, for the confirmation step: never below 5."""
    if n == 0:
        return "nobody"
    if is_small(n):
        return "fewer than 5 people"
    return f"about {round_to_base(n):,} people"


# --- the baseline


@dataclass(frozen=True)
class BaselineCheck:
    shares: tuple[BaselineShare, ...]
    errors: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.shares)


def allowed_categories(dimension: str, languages: Collection[str]) -> Collection[str] | None:
    """The categories a baseline may name in `dimension`; None: any postcode district."""
    if dimension == "language":
        return languages
    if dimension == "channel":
        return sorted({c.removeprefix("sim-") for c in CHANNELS})
    if dimension == "area":
        return None
    return CATEGORIES[dimension]


def check_baseline(data: bytes | str, languages: Collection[str]) -> BaselineCheck:
    """Reads a baseline CSV: a header `dimension,category,share`, then one line per category,
    `share` a percentage (`12.5` or `12.5%`) of the dimension's population. Lines starting
    with `#` are notes (sources). Every problem is reported with its line number."""
    if isinstance(data, bytes):
        if len(data) > MAX_BASELINE_BYTES:
            return BaselineCheck((), (f"the file is larger than {MAX_BASELINE_BYTES // 1024} KB",))
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return BaselineCheck((), ("the file is not UTF-8 text (save it as CSV UTF-8)",))
    data = data.removeprefix("\ufeff")
    # Spreadsheets save with \r\n, \n or (older Mac Excel) a bare \r: all end a line. Excel
    # where the decimal mark is a comma saves `;` between cells and `12,5` as a share.
    lines = data.splitlines()
    delimiter = ";" if _semicolon_separated(lines) else ","
    errors: list[str] = []
    shares: list[BaselineShare] = []
    lines_of: dict[str, list[int]] = {}
    seen: dict[tuple[str, str], int] = {}
    header: list[str] | None = None
    if len(lines) > MAX_BASELINE_LINES:
        return BaselineCheck((), (f"more than {MAX_BASELINE_LINES} lines: split the file",))
    for number, line in enumerate(lines, start=1):
        if len(line) > MAX_BASELINE_LINE_CHARS:
            errors.append(f"line {number}: longer than {MAX_BASELINE_LINE_CHARS} characters")
            continue
        row = next(csv.reader([line], delimiter=delimiter), [])
        cells = [cell.strip() for cell in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if header is None:
            header = [cell.lower() for cell in cells]
            missing = [c for c in ("dimension", "category", "share") if c not in header]
            if missing:
                errors.append(
                    f"line {number}: the first line must be the header "
                    f"dimension,category,share (missing: {', '.join(missing)})"
                )
                return BaselineCheck((), tuple(errors))
            continue
        record = dict(zip(header, cells, strict=False))
        dimension = record.get("dimension", "")
        category = record.get("category", "")
        raw_share = record.get("share", "")
        if dimension not in DIMENSIONS:
            errors.append(
                f"line {number}: unknown dimension {dimension!r} "
                f"(known: {', '.join(DIMENSIONS)})"
            )
            continue
        allowed = allowed_categories(dimension, languages)
        if dimension == "area":
            category = category.upper().replace(" ", "")
            if not is_district(category):
                errors.append(
                    f"line {number}: {category!r} is not a UK postcode district (like CF10)"
                )
                continue
        elif allowed is not None and category not in allowed:
            errors.append(
                f"line {number}: unknown category {category!r} for {dimension} "
                f"(known: {', '.join(sorted(allowed))})"
            )
            continue
        share = _share(raw_share.replace(",", ".") if delimiter == ";" else raw_share)
        if share is None:
            errors.append(
                f"line {number}: share {raw_share!r} is not a number from 0 to 100 "
                "(a percentage, like 12.5)"
            )
            continue
        if (dimension, category) in seen:
            errors.append(
                f"line {number}: {dimension} {category} is already on line "
                f"{seen[dimension, category]}"
            )
            continue
        seen[dimension, category] = number
        lines_of.setdefault(dimension, []).append(number)
        shares.append(BaselineShare(dimension, category, share))
    if header is None:
        errors.append("the file is empty: it needs the header dimension,category,share")
    for dimension, numbers in lines_of.items():
        total = sum(s.share for s in shares if s.dimension == dimension)
        if abs(total - 100.0) > SHARE_TOLERANCE:
            errors.append(
                f"lines {numbers[0]}-{numbers[-1]}: the shares of {dimension} add up to "
                f"{total:.1f}%, not 100% (within {SHARE_TOLERANCE:g})"
            )
    if header is not None and not shares and not errors:
        errors.append("the file has a header but no shares")
    if len(errors) > MAX_BASELINE_ERRORS:
        more = len(errors) - MAX_BASELINE_ERRORS
        errors[MAX_BASELINE_ERRORS:] = [f"and {more} more problems"]
    return BaselineCheck(tuple(shares), tuple(errors))


def _semicolon_separated(lines: Sequence[str]) -> bool:
    """Whether the first line that is not blank or a note is a header separated by `;`."""
    for line in lines:
        text = line.strip()
        if text and not text.startswith("#"):
            return ";" in text and "," not in text
    return False


def _share(raw: str) -> float | None:
    text = raw.strip().removesuffix("%").strip()
    try:
        value = float(text)
    except ValueError:
        return None
    if not math.isfinite(value) or value < 0 or value > 100:
        return None
    return value


# --- the report


@dataclass(frozen=True)
class CategoryReach:
    category: str
    label: str
    reached: int | None  # rounded; None: fewer than 5; HIDDEN, WITHHELD (never published)
    reached_share: float | None  # percent of people whose category is known
    population_share: float | None  # percent, from the baseline
    ratio: float | None  # reached share / population share
    status: str  # a key of STATUS_TEXT

    @property
    def suppressed(self) -> bool:
        return self.reached is None or self.reached < 0

    @property
    def under_heard(self) -> bool:
        return self.status == "under_heard"

    @property
    def reached_text(self) -> str:
        return shown(self.reached)


@dataclass(frozen=True)
class DimensionReach:
    dimension: str
    label: str
    categories: tuple[CategoryReach, ...]
    not_known: int | None  # published, as `CategoryReach.reached`
    known: int  # people whose category is known, in the shown cells
    score: float | None  # percent: 100 * (1 - total variation distance); None without baseline
    withheld: bool = False

    @property
    def not_known_text(self) -> str:
        return shown(self.not_known)

    @property
    def under_heard(self) -> tuple[CategoryReach, ...]:
        return tuple(c for c in self.categories if c.under_heard)

    @property
    def has_baseline(self) -> bool:
        return any(c.population_share is not None for c in self.categories)


@dataclass(frozen=True)
class ReachReport:
    total: int | None  # rounded people who gave views; None: fewer than 5 (nothing shown)
    dimensions: tuple[DimensionReach, ...]
    baseline: Baseline | None

    @property
    def too_few(self) -> bool:
        return self.total is None

    def dimension(self, name: str) -> DimensionReach:
        return next(d for d in self.dimensions if d.dimension == name)


STATUS_TEXT = {
    "under_heard": "under-heard",
    "about_right": "about right",
    "over_heard": "over-represented",
    "too_few": "fewer than 5: too few to judge",
    "no_baseline": "no baseline",
    "none_known": "nobody's group is known yet",
    "hidden": "hidden, so that a smaller group cannot be worked out",
    "withheld": "withheld: too few people to show",
}


def build_report(
    counts: Counts,
    baseline: Baseline | None,
    labels: Mapping[str, str] | None = None,
) -> ReachReport:
    """`labels`: names for categories not in CATEGORIES (language codes)."""
    if counts.total < SMALL:
        return ReachReport(None if counts.total else 0, (), baseline)
    total, published = protect(counts.by_dimension, counts.total)
    population = _population(baseline)
    dimensions = tuple(
        _dimension(name, published[name], population.get(name, {}), labels)
        for name in DIMENSIONS
    )
    return ReachReport(total, dimensions, baseline)


def _population(baseline: Baseline | None) -> dict[str, dict[str, float]]:
    """Each dimension's shares as fractions adding up to 1."""
    found: dict[str, dict[str, float]] = {}
    for share in baseline.shares if baseline is not None else ():
        found.setdefault(share.dimension, {})[share.category] = share.share
    for dimension, shares in found.items():
        whole = sum(shares.values())
        found[dimension] = {k: (v / whole if whole else 0.0) for k, v in shares.items()}
    return found


def _dimension(
    name: str,
    cells: Mapping[str, int | None],
    population: Mapping[str, float],
    labels: Mapping[str, str] | None,
) -> DimensionReach:
    """From published cells only: shares are of the shown known cells."""
    withheld = any(v == WITHHELD for v in cells.values())
    order = list(CATEGORIES.get(name, {}))
    # A withheld dimension does not even say which groups have anyone in them.
    present = [k for k, v in cells.items() if k != NOT_KNOWN and v != 0 and not withheld]
    categories = sorted(
        set(population) | set(present),
        key=lambda k: (order.index(k) if k in order else len(order), k),
    )
    def number(k: str) -> int:
        v = cells.get(k, 0)
        return v if v is not None and v > 0 else 0

    known_total = sum(number(k) for k in categories)
    rows: list[CategoryReach] = []
    for category in categories:
        value = cells.get(category, 0)
        p = population.get(category)
        if value is None or value < 0:
            reached, share, ratio = value, None, None
        else:
            reached = value
            share = 100 * value / known_total if known_total else 0.0
            ratio = (value / known_total) / p if (p and known_total) else None
        rows.append(
            CategoryReach(
                category=category,
                label=_label(name, category, labels),
                reached=reached,
                reached_share=share,
                population_share=None if p is None else 100 * p,
                ratio=ratio,
                status=_status(reached, p, ratio, known_total),
            )
        )
    score = None
    if population and known_total and not withheld:
        # Hidden cells count as reaching nobody: the score never uses an unpublished number.
        score = 100 * sum(
            min(number(k) / known_total, population.get(k, 0.0)) for k in categories
        )
    return DimensionReach(
        dimension=name,
        label=DIMENSIONS[name],
        categories=tuple(rows),
        not_known=cells.get(NOT_KNOWN, 0),
        known=known_total,
        score=score,
        withheld=withheld,
    )


def _status(reached: int | None, p: float | None, ratio: float | None, known: int) -> str:
    if reached == WITHHELD:
        return "withheld"
    if reached == HIDDEN:
        return "hidden"
    if p is None or p == 0:
        return "no_baseline"
    if known == 0:
        return "none_known"
    if reached is None:
        # At most 4 people: under-heard only when even 4 would be too few.
        most = (SMALL - 1) / known if known else 0.0
        return "under_heard" if most / p < UNDER_HEARD else "too_few"
    if ratio is None or ratio < UNDER_HEARD:
        return "under_heard"
    if ratio > OVER_HEARD:
        return "over_heard"
    return "about_right"


def _label(dimension: str, category: str, labels: Mapping[str, str] | None) -> str:
    known = CATEGORIES.get(dimension, {}).get(category)
    if known is not None:
        return known
    if labels is not None and category in labels:
        return labels[category]
    return category


# --- re-invitations


def reinvite_targets(
    people: Iterable[ReachPerson], dimension: str, categories: Collection[str]
) -> list[ReachPerson]:
    """People in `categories` of `dimension` who may be contacted: `contact_group` granted,
    not opted out, with a channel to reach them on."""
    return [
        person
        for person in people
        if person.contact_group
        and not person.opted_out
        and person.channel is not None
        and categorise(person)[dimension] in categories
    ]


# --- CSV of the published report


def report_rows(report: ReachReport) -> Sequence[Sequence[str]]:
    """The published report as CSV rows: the same numbers as the page."""
    rows: list[list[str]] = [
        [
            "dimension", "category", "reached", "reached_share", "population_share", "ratio",
            "status", "score",
        ]
    ]
    for dim in report.dimensions:
        score = "" if dim.score is None else f"{dim.score:.1f}"
        for c in dim.categories:
            rows.append(
                [
                    dim.dimension,
                    c.category,
                    c.reached_text,
                    "" if c.reached_share is None else f"{c.reached_share:.1f}",
                    "" if c.population_share is None else f"{c.population_share:.1f}",
                    "" if c.ratio is None else f"{c.ratio:.2f}",
                    STATUS_TEXT[c.status],
                    score,
                ]
            )
        rows.append(
            [dim.dimension, NOT_KNOWN, dim.not_known_text, "", "", "", "", score]
        )
    return rows
