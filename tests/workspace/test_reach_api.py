"""Who has been heard, through the real app on loopback: the baseline upload with its problems
by line, the published reach (a group of 3 shows as "fewer than 5" in the API, the page and
the CSV, and nothing subtracts to it), and a re-invitation queued in the outbox once per
person, in each person's language and register, never to someone who opted out."""

from __future__ import annotations

import csv
import io
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from storage import models as m
from storage.records import ConsentEntry, ProfileAnswer, ViewRecord
from storage.sql import SqlStore
from tests.web.harness import Brains
from tests.workspace.harness import WorkspaceUnderTest, running_workspace

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SAMPLE = Path(__file__).resolve().parents[2] / "docs/baselines/cardiff-census-2011.csv"


BASELINE = (
    "dimension,category,share\nethnic_group,white,60\nethnic_group,asian,20\n"
    "ethnic_group,black,20\n"
)


def seed_reach(store: SqlStore, white: int = 60) -> None:
    """`white` White people (English), 6 Asian people (Urdu, easy read, who may be contacted),
    3 Black people (Somali; 2 may be contacted, 1 of them opted out) and 9 who did not agree to
    "about you"."""
    groups = (
        [("white", "en", "standard", False, False)] * white
        + [("asian", "ur", "easy", True, False)] * 6
        + [("black", "so", "standard", True, False)] * 2
        + [("black", "so", "standard", True, True)]
        + [(None, "pl", "standard", True, False)] * 9
    )
    with store.unit_of_work() as uow:
        for n, (group, language, register, contact, opted_out) in enumerate(groups):
            pid = uow.people.for_address("sms", f"+4477009{n:05d}", AT).participant_id
            uow.people.update(pid, language=language, register=register, opted_out=opted_out)
            uow.consent.record(ConsentEntry(pid, "share_views", True, "c", language, "sms", AT))
            if contact:
                uow.consent.record(
                    ConsentEntry(pid, "contact_group", True, "c", language, "sms", AT)
                )
            if group is not None:
                uow.consent.record(ConsentEntry(pid, "about_you", True, "c", language, "sms", AT))
                uow.answers.save_profile(ProfileAnswer(pid, "ethnic_group", group, AT))
            uow.views.save(
                ViewRecord(
                    f"v{n}", pid, "day-services-2026", "have_your_say", "q_better", "(asked)",
                    "more buses", "more buses", language, register, "sms", AT,
                )
            )
        uow.commit()


def test_baseline_problems_are_named_by_line_and_nothing_is_stored(
    workspace: WorkspaceUnderTest,
) -> None:
    coordinator = workspace.bearer("coordinator")
    refused = coordinator.put(
        "/api/reach/baseline",
        json={"csv": "dimension,category,share\nethnic,white,80\ncarer,yes,ten\n"},
    )
    assert refused.status_code == 422
    errors = refused.json()["detail"]["errors"]
    assert errors[0].startswith("line 2: unknown dimension 'ethnic'")
    assert errors[1].startswith("line 3: share 'ten' is not a number")
    assert coordinator.get("/api/reach/baseline").json() is None
    member = workspace.bearer("member")
    assert member.get("/api/reach").status_code == 403
    paths = coordinator.get("/api/openapi.json").json()["paths"]
    assert {"/reach", "/reach/baseline", "/reach/reinvite"} <= set(paths)
    assert set(paths["/reach/baseline"]) == {"get", "put"}


def test_a_group_of_3_is_fewer_than_5_everywhere_and_re_invitations_reach_each_person_once(
    workspace: WorkspaceUnderTest,
) -> None:
    seed_reach(workspace.store)
    coordinator = workspace.bearer("coordinator")
    uploaded = coordinator.put(
        "/api/reach/baseline",
        json={"csv": BASELINE, "source": "made up for the test"},
    )
    assert uploaded.status_code == 200, uploaded.text
    assert uploaded.json()["source"] == "made up for the test"

    reach = coordinator.get("/api/reach").json()
    assert reach["total"] == 80  # 78 people, rounded to 5
    ethnic = next(d for d in reach["dimensions"] if d["dimension"] == "ethnic_group")
    cells = {c["category"]: c for c in ethnic["categories"]}
    black = cells["black"]
    assert black["reached"] is None and black["reached_text"] == "fewer than 5"
    assert black["reached_share"] is None and black["ratio"] is None and black["suppressed"]
    assert black["under_heard"]  # even 4 of 65 would be under 80% of 20%
    assert cells["white"]["reached"] == 60 and cells["asian"]["reached"] == 5
    assert ethnic["not_known"] == 10  # 9 people without "about you", rounded
    # Nothing subtracts to the 3: the total (80) less the shown cells (60 + 5 + 10) is 5,
    # what 1, 2, 3 or 4 people would all give.
    shown = sum(c["reached"] or 0 for c in ethnic["categories"]) + ethnic["not_known"]
    assert reach["total"] - shown == 5
    assert "3" not in {str(c["reached"]) for c in ethnic["categories"]}
    assert ethnic["score"] is not None

    page = workspace.web("coordinator")
    html = page.get("/reach").text
    assert "fewer than 5" in html and "under-heard" in html
    table = list(csv.reader(io.StringIO(page.get("/reach.csv").text)))
    black_row = next(r for r in table if r[:2] == ["ethnic_group", "black"])
    assert black_row[2] == "fewer than 5"

    preview = coordinator.post("/api/reach/reinvite", json={"dimension": "ethnic_group"}).json()
    assert set(preview["categories"]) == {"asian", "black"}
    assert preview["will_receive"] == "about 10 people"  # 6 + 2: the opted-out one is left out
    key = preview["key"]
    done = coordinator.post("/api/reach/reinvite", json={"dimension": "ethnic_group", "key": key})
    assert done.json()["queued"] == "about 10 people" and not done.json()["again"]
    again = coordinator.post("/api/reach/reinvite", json={"dimension": "ethnic_group", "key": key})
    assert again.json()["again"] and again.json()["reinvitation_id"] == done.json()[
        "reinvitation_id"
    ]

    with workspace.store.engine.connect() as connection:
        queued = connection.execute(
            select(m.OutboxRow.participant_id, m.OutboxRow.language, m.OutboxRow.text)
        ).all()
        people = dict(
            connection.execute(select(m.ParticipantRow.id, m.ParticipantRow.opted_out)).all()
        )
    assert len(queued) == 8 and len({row.participant_id for row in queued}) == 8
    assert not any(people[row.participant_id] for row in queued)  # nobody who opted out
    urdu = [row for row in queued if row.language == "ur"]
    assert len(urdu) == 6 and all("MENU" in row.text and "STOP" in row.text for row in urdu)
    assert {row.language for row in queued} == {"ur", "so"}


def test_the_page_shows_problems_of_an_uploaded_file_by_line(workspace: WorkspaceUnderTest) -> None:
    page = workspace.web("coordinator")
    answer = page.http.post(
        "/reach/baseline",
        data={"csrf_token": page.csrf, "source": "mine"},
        files={"baseline": ("b.csv", b"dimension,category,share\ncarer,yes,60\ncarer,no,60\n")},
    )
    assert answer.status_code == 422
    assert "lines 2-3: the shares of carer add up to 120.0%, not 100%" in answer.text
    good = page.http.post(
        "/reach/baseline",
        data={"csrf_token": page.csrf, "source": "Census 2011"},
        files={"baseline": ("b.csv", SAMPLE.read_bytes())},
    )
    assert good.status_code == 303
    assert "The baseline was replaced" in page.get("/reach?uploaded=1").text


def test_confirming_one_re_invitation_many_times_at_once_queues_it_once(
    brains: Brains, sql_store: SqlStore, tmp_path: Path
) -> None:
    """On SQLite and PostgreSQL: confirmations racing each other all get an answer (never a
    500), and the re-invitation is made and queued once."""
    with running_workspace(brains, sql_store, tmp_path) as workspace:
        _confirm_at_once(workspace)


def _confirm_at_once(workspace: WorkspaceUnderTest) -> None:
    seed_reach(workspace.store)
    coordinator = workspace.bearer("coordinator")
    coordinator.put("/api/reach/baseline", json={"csv": BASELINE, "source": "test"})
    key = coordinator.post("/api/reach/reinvite", json={"dimension": "ethnic_group"}).json()["key"]
    page = workspace.web("coordinator")
    start = threading.Barrier(6)

    def confirm(n: int) -> int:
        start.wait()
        if n % 2:
            return coordinator.post(
                "/api/reach/reinvite", json={"dimension": "ethnic_group", "key": key}
            ).status_code
        return page.post(
            "/reach/reinvite/confirm", {"dimension": "ethnic_group", "key": key}
        ).status_code

    with ThreadPoolExecutor(6) as pool:
        codes = list(pool.map(confirm, range(6)))
    assert all(code in (200, 303) for code in codes), codes
    with workspace.store.engine.connect() as connection:
        queued = connection.execute(select(m.OutboxRow.participant_id)).scalars().all()
        reinvitations = connection.execute(select(m.ReinvitationRow.id)).scalars().all()
    assert len(queued) == 8 and len(set(queued)) == 8
    assert len(reinvitations) == 1


def test_hostile_baseline_uploads_get_reasons_and_the_baseline_in_use_stays(
    brains: Brains, sql_store: SqlStore, tmp_path: Path
) -> None:
    """On SQLite and PostgreSQL: each hostile upload is answered (never a 500) and changes
    nothing; what a coordinator typed is shown escaped."""
    with running_workspace(brains, sql_store, tmp_path) as workspace:
        page = workspace.web("coordinator")

        def upload(body: bytes, source: str = "Census", csrf: bool = True) -> int:
            data = {"source": source, **({"csrf_token": page.csrf} if csrf else {})}
            return page.http.post(
                "/reach/baseline", data=data, files={"baseline": ("b.csv", body)}
            ).status_code

        assert upload(SAMPLE.read_bytes(), source="<script>alert(1)</script>") == 303
        html = page.get("/reach").text
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        hostile = [
            b"",
            bytes(range(256)) * 64,
            b"x" * (300 * 1024),
            b'dimension,category,share\ncarer,"' + b"y" * 200_000 + b'",100\n',
            b"dimension,category,share\n=cmd|' /C calc'!A0,yes,100\n",
            b"dimension,category,share\ncarer,<b>yes</b>,100\n",
        ]
        for body in hostile:
            assert upload(body) in (413, 422), body[:40]
        assert upload(SAMPLE.read_bytes(), source="s" * 10_000) == 422
        assert upload(SAMPLE.read_bytes(), csrf=False) == 403
        member = workspace.web("member")
        assert member.http.post(
            "/reach/baseline",
            data={"csrf_token": member.csrf},
            files={"baseline": ("b.csv", SAMPLE.read_bytes())},
        ).status_code in (403, 404)
        refused = page.http.post(
            "/reach/baseline",
            data={"csrf_token": page.csrf},
            files={"baseline": ("b.csv", b"dimension,category,share\ncarer,<b>yes</b>,100\n")},
        ).text
        assert "<b>yes</b>" not in refused and "&lt;b&gt;yes&lt;/b&gt;" in refused
        baseline = workspace.bearer("coordinator").get("/api/reach/baseline").json()
        assert baseline["source"] == "<script>alert(1)</script>"


def test_re_inviting_before_anyone_gave_views_sends_nothing_and_says_so(
    workspace: WorkspaceUnderTest,
) -> None:
    """A new deployment: nobody heard yet. The preview and the confirmation answer (a 500
    before), and nothing is queued."""
    coordinator = workspace.bearer("coordinator")
    assert coordinator.put(
        "/api/reach/baseline", json={"csv": BASELINE, "source": "test"}
    ).status_code == 200
    preview = coordinator.post("/api/reach/reinvite", json={"dimension": "ethnic_group"})
    assert preview.status_code == 200, preview.text
    assert preview.json()["categories"] == []
    page = workspace.web("coordinator")
    assert page.post("/reach/reinvite", {"dimension": "language"}).status_code == 200
    done = page.post("/reach/reinvite/confirm", {"dimension": "language", "key": "k" * 24})
    assert done.status_code == 303
    with workspace.store.engine.connect() as connection:
        assert connection.execute(select(m.OutboxRow.id)).first() is None
