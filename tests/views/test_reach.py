"""Reach as coordinators see it (bot.views.reach): who counts as not known, the baseline's
checks with a reason per line, the scores, and the published numbers that never let anyone
work out a group of fewer than 5 people."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import UTC, datetime

from bot.views.reach import (
    NOT_KNOWN,
    build_report,
    categorise,
    check_baseline,
    count,
    protect,
    reinvite_targets,
    report_rows,
)
from storage.records import Baseline, BaselineShare, ReachPerson

LANGUAGES = ("en", "cy", "pl", "ur", "pa", "bn", "ar", "so", "ro")
AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def person(n: int, *, about_you: bool = True, contact: bool = False, **profile: str) -> ReachPerson:
    return ReachPerson(
        participant_id=f"p{n:04d}",
        language=profile.pop("language", "en"),
        register=profile.pop("register", "standard"),
        channel=profile.pop("channel", "sms"),
        opted_out=profile.pop("opted_out", "") == "yes",
        about_you=about_you,
        contact_group=contact,
        profile=profile,
    )


def test_without_about_you_consent_everything_about_the_person_is_not_known() -> None:
    withdrew = person(1, about_you=False, age_band="age_25_44", carer="yes", area="CF10")
    found = categorise(withdrew)
    assert found["age_band"] == found["carer"] == found["area"] == NOT_KNOWN
    assert found["language"] == "en" and found["channel"] == "sms"  # not "about you" answers


def test_skipped_and_unknown_answers_are_not_known_never_guessed() -> None:
    found = categorise(
        person(2, age_band="prefer_not_to_say", area="not_given", ethnic_group="mixed_or_other")
    )
    assert found["age_band"] == found["area"] == found["ethnic_group"] == NOT_KNOWN
    assert categorise(person(3, ethnic_group="mixed_or_other", ethnic_group_more="mixed"))[
        "ethnic_group"
    ] == "mixed"
    assert categorise(person(4, channel="sim-telegram"))["channel"] == "telegram"


def test_a_baseline_with_problems_names_each_line() -> None:
    checked = check_baseline(
        "# Source: a note line\n"
        "dimension,category,share\n"
        "age,under_25,30\n"  # line 3: unknown dimension
        "carer,yes,eleven\n"  # line 4: bad number
        "carer,no,120\n"  # line 5: out of range
        "disability,yes,20\n"
        "disability,no,70\n"  # adds up to 90
        "disability,yes,10\n"  # line 8: repeated
        "ethnic_group,martian,100\n"  # line 9: unknown category
        "area,XX99,100\n",  # line 10: not a district
        LANGUAGES,
    )
    assert not checked.ok
    text = "\n".join(checked.errors)
    assert "line 3: unknown dimension 'age'" in text
    assert "line 4: share 'eleven' is not a number" in text
    assert "line 5: share '120' is not a number from 0 to 100" in text
    assert "line 8: disability yes is already on line 6" in text
    assert "line 9: unknown category 'martian' for ethnic_group" in text
    assert "line 10: 'XX99' is not a UK postcode district" in text
    assert "lines 6-7: the shares of disability add up to 90.0%, not 100%" in text


def test_a_good_baseline_reads_percent_signs_and_rounded_totals() -> None:
    checked = check_baseline(
        "Dimension, Category, Share\ncarer,yes,10.4%\ncarer,no,89.1%\nlanguage,cy,100\n"
        "area,cf10,60\narea,CF11,40\n",
        LANGUAGES,
    )
    assert checked.ok, checked.errors
    assert BaselineShare("carer", "yes", 10.4) in checked.shares
    assert BaselineShare("area", "CF10", 60.0) in checked.shares
    assert check_baseline(b"\xff\xfe", LANGUAGES).errors[0].startswith("the file is not UTF-8")
    assert "header" in check_baseline("carer,yes,10\n", LANGUAGES).errors[0]
    assert "empty" in check_baseline("", LANGUAGES).errors[0]


def _published(true: dict[str, dict[str, int]], total: int) -> tuple[object, ...]:
    rounded, published = protect(true, total)
    return (rounded, *(v for d in sorted(published) for v in published[d].values()))


def test_no_small_cell_can_be_narrowed_from_anything_published_in_any_small_table() -> None:
    """Every table of up to 4 groups (and every pair of dimensions of 3 and 2 groups) under 20
    people: for each published result, a "fewer than 5" cell still has every value 1 to 4
    among the tables that publish exactly that."""
    for groups in (2, 3, 4):
        originals: dict[tuple[object, ...], list[tuple[int, ...]]] = defaultdict(list)
        top = 20 if groups < 4 else 12
        for values in itertools.product(range(top), repeat=groups):
            total = sum(values)
            if total < 5:
                continue
            cells = {"d": {f"c{i}": v for i, v in enumerate(values)}}
            originals[_published(cells, total)].append(values)
        _assert_unnarrowed(originals, edge=top - 3)
    pairs: dict[tuple[object, ...], list[tuple[int, ...]]] = defaultdict(list)
    for total in range(5, 18):
        for a, b in itertools.product(range(total + 1), repeat=2):
            if a + b > total:
                continue
            for c in range(total + 1):
                cells = {
                    "a": {"a0": a, "a1": b, "a2": total - a - b},
                    "b": {"b0": c, "b1": total - c},
                }
                pairs[_published(cells, total)].append((a, b, total - a - b, c, total - c))
    _assert_unnarrowed(pairs, edge=13, total_edge=True)


def _assert_unnarrowed(
    originals: dict[tuple[object, ...], list[tuple[int, ...]]],
    edge: int,
    total_edge: bool = False,
) -> None:
    checked = 0
    for published, tables in originals.items():
        if total_edge and isinstance(published[0], int) and published[0] >= edge:
            continue  # tables near the end of the enumeration lack their larger neighbours
        if not total_edge and max(max(t) for t in tables) >= edge:
            continue
        for i, value in enumerate(published[1:]):
            if value is None:
                assert {t[i] for t in tables} == {1, 2, 3, 4}, (published, tables[:3])
                checked += 1
    assert checked > 0  # the check met small cells


def test_a_group_of_3_shows_fewer_than_5_and_nothing_gives_it_away() -> None:
    people = [person(n, ethnic_group="white") for n in range(40)]
    people += [person(100 + n, ethnic_group="black") for n in range(3)]
    people += [person(200 + n, ethnic_group="asian") for n in range(11)]
    people += [person(300 + n, about_you=False) for n in range(9)]
    baseline = Baseline(
        (
            BaselineShare("ethnic_group", "white", 80),
            BaselineShare("ethnic_group", "black", 10),
            BaselineShare("ethnic_group", "asian", 10),
        ),
        "test",
        "c@example.org",
        AT,
    )
    report = build_report(count(people), baseline)
    assert report.total == 65  # 63 people, rounded
    ethnic = report.dimension("ethnic_group")
    cells = {c.category: c for c in ethnic.categories}
    black = cells["black"]
    assert black.reached is None and black.reached_text == "fewer than 5"
    assert black.reached_share is None and black.ratio is None
    assert {c.reached for c in ethnic.categories if c.category != "black"} == {40, 10}
    assert ethnic.not_known == 10  # 9 people, rounded
    # The total (65) minus the shown cells (40 + 10 + 10) is 5: the same for 1 to 4 people.
    assert black.under_heard  # even 4 people of 60 would be below 80% of 10%
    rows = report_rows(report)
    flat = ",".join(",".join(row) for row in rows)
    assert "black,fewer than 5," in flat and ",3," not in flat


def test_score_is_one_minus_total_variation_distance_and_under_heard_is_below_80_percent() -> (
    None
):
    people = [person(n, carer="yes") for n in range(10)] + [
        person(100 + n, carer="no") for n in range(90)
    ]
    baseline = Baseline(
        (BaselineShare("carer", "yes", 20), BaselineShare("carer", "no", 80)), "t", "c", AT
    )
    carer = build_report(count(people), baseline).dimension("carer")
    assert carer.score is not None and round(carer.score, 1) == 90.0  # 1 - |0.1 - 0.2|
    cells = {c.category: c for c in carer.categories}
    assert cells["yes"].ratio == 0.5 and cells["yes"].under_heard
    assert cells["no"].status == "about_right"  # 0.9 / 0.8 = 1.125


def test_fewer_than_5_people_in_all_shows_nothing() -> None:
    report = build_report(count([person(n, carer="yes") for n in range(4)]), None)
    assert report.too_few and report.dimensions == ()


def test_too_small_breakdowns_are_withheld_whole() -> None:
    # 4 and 4 of 8 people (rounded to 10): "fewer than 5" twice would add up to 8, which
    # makes each of them 4.
    people = [person(n, carer="yes") for n in range(4)] + [
        person(10 + n, carer="no") for n in range(4)
    ]
    report = build_report(count(people), None)
    assert report.total == 10
    assert all(d.withheld for d in report.dimensions)
    assert report.dimension("carer").categories == ()  # not even which groups have anyone
    baseline = Baseline((BaselineShare("carer", "yes", 100),), "t", "c", AT)
    carer = build_report(count(people), baseline).dimension("carer")
    assert [(c.category, c.reached_text) for c in carer.categories] == [("yes", "withheld")]


def test_reinvite_targets_only_people_who_may_be_contacted() -> None:
    people = [
        person(1, contact=True, carer="yes"),
        person(2, contact=False, carer="yes"),
        person(3, contact=True, carer="yes", opted_out="yes"),
        person(4, contact=True, carer="no"),
        person(5, contact=True, about_you=False, carer="yes"),  # not known: never guessed
    ]
    assert [p.participant_id for p in reinvite_targets(people, "carer", {"yes"})] == ["p0001"]


def test_nobody_is_under_heard_while_nobody_s_group_is_known() -> None:
    people = [person(n, about_you=False) for n in range(20)]
    baseline = Baseline((BaselineShare("carer", "yes", 100),), "t", "c", AT)
    carer = build_report(count(people), baseline).dimension("carer")
    assert carer.under_heard == () and carer.categories[0].status == "none_known"


def test_a_baseline_saved_by_a_spreadsheet_in_any_locale_is_read() -> None:
    semicolons = (
        "\ufeffdimension;category;share\r\n# Source; Census\r\ncarer;yes;10,4%\r\ncarer;no;89,6\r\n"
    )
    checked = check_baseline(semicolons.encode("utf-8"), LANGUAGES)
    assert checked.ok, checked.errors
    assert BaselineShare("carer", "yes", 10.4) in checked.shares
    old_mac = check_baseline(b"dimension,category,share\rcarer,yes,10\rcarer,no,90\r", LANGUAGES)
    assert old_mac.ok, old_mac.errors


def test_a_hostile_baseline_is_refused_with_reasons_never_an_exception() -> None:
    huge_cell = b'dimension,category,share\ncarer,"' + b"y" * 200_000 + b'",100\n'
    assert check_baseline(huge_cell, LANGUAGES).errors == ("line 2: longer than 1000 characters",)
    too_long = b"dimension,category,share\n" + b"carer,yes,1\n" * 10_000
    assert check_baseline(too_long, LANGUAGES).errors == ("more than 5000 lines: split the file",)
    repeated = b"dimension,category,share\n" + b"carer,yes,1\n" * 4_000
    errors = check_baseline(repeated, LANGUAGES).errors
    assert len(errors) == 51
    assert errors[-1] == "and 3950 more problems"  # 3,999 repeats and the sum, less 50
    nul = check_baseline(b"dimension,category,share\ncarer,yes\x00,100\n", LANGUAGES)
    assert not nul.ok
