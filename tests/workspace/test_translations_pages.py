"""The Translations page as each role, over real HTTP on loopback: per-language counts of the
catalogue and of a consultation, PO downloads for anyone signed in, uploads for coordinators
only (CSRF-checked), a refused upload showing each problem's line and changing nothing, a
reviewed upload into a live consultation making a new version with the reviewer's name."""

from __future__ import annotations

import re

from tests.consult.drafts import buses
from tests.translations.test_consultation_po import set_translation
from tests.workspace.harness import WebClient, WorkspaceUnderTest


def _opened(workspace: WorkspaceUnderTest) -> None:
    api = workspace.bearer("coordinator")
    assert api.post("/api/consultations", json=buses()).status_code == 201
    assert api.post("/api/consultations/buses/open").status_code == 200


def _upload(web: WebClient, text: str, *, reviewed: bool = False, **fields: str) -> str:
    response = web.http.post(
        "/translations/upload",
        data={"csrf_token": web.csrf, **({"reviewed": "yes"} if reviewed else {}), **fields},
        files={"file": ("buses-cy.po", text.encode("utf-8"), "text/x-gettext-translation")},
    )
    return f"{response.status_code}\n{response.text}"


def _row(page: str, table: str, language: str) -> list[str]:
    """The cells of `language`'s row in the table with id `table`."""
    body = page.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        if f"({language})" in row:
            cells = re.findall(r"<td>(.*?)</td>", row, re.S)
            return [re.sub(r"<[^>]+>", "", c).strip() for c in cells]
    raise AssertionError(f"no row for {language}")


def test_a_member_downloads_and_a_coordinator_uploads(workspace: WorkspaceUnderTest) -> None:
    _opened(workspace)
    member = workspace.web("member")
    page = member.get("/translations")
    assert page.status_code == 200
    assert _row(page.text, "counts-buses", "cy")[1:4] == ["0", "5", "0"]  # all drafts
    assert "Upload a translated file" not in page.text
    download = member.get("/translations/po/cy", params={"consultation": "buses"})
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/x-gettext-translation")
    assert "heard-buses-cy.po" in download.headers["content-disposition"]
    exported = download.text
    assert "X-Heard-Consultation: buses" in exported and 'msgctxt "q2.bus|easy"' in exported
    catalogue = member.get("/translations/po/pl")
    assert catalogue.status_code == 200 and "X-Heard-Consultation" not in catalogue.text
    assert member.get("/translations/po/xx").status_code == 404
    edited = set_translation(exported, "title|standard", "Bysiau i'r ganolfan ddydd")
    edited = set_translation(edited, "title|easy", "Bysiau i ganolfannau dydd")
    refused = _upload(member, edited, reviewed=True)
    assert refused.startswith("403")
    coordinator = workspace.web("coordinator")
    no_csrf = coordinator.http.post(
        "/translations/upload", files={"file": ("a.po", edited.encode(), "text/plain")}
    )
    assert no_csrf.status_code == 403
    done = _upload(coordinator, edited, reviewed=True)
    assert done.startswith("200"), done[:2000]
    assert "Imported into consultation buses: 1 text(s) changed, 1 now reviewed" in done
    assert _row(done, "counts-buses", "cy")[1:4] == ["1", "4", "0"]
    got = workspace.bearer("coordinator").get("/api/consultations/buses").json()
    assert (got["latest_version"], got["live_version"]) == (2, 2)  # a new version, opened
    assert got["draft"]["title"]["cy"]["standard"] == "Bysiau i'r ganolfan ddydd"


def test_a_refused_upload_shows_the_line_and_changes_nothing(
    workspace: WorkspaceUnderTest,
) -> None:
    _opened(workspace)
    coordinator = workspace.web("coordinator")
    exported = coordinator.get("/translations/po/cy", params={"consultation": "buses"}).text
    bad = set_translation(exported, "q1|standard", "Beth am {name}?")
    line = bad.split("\n").index('msgctxt "q1|standard"') + 2
    answer = _upload(coordinator, bad)
    assert answer.startswith("422")
    assert "nothing was changed" in answer
    assert f"<td>{line}</td><td>q1</td>" in answer
    assert "the consultation is unchanged" not in answer
    got = workspace.bearer("coordinator").get("/api/consultations/buses").json()
    assert got["latest_version"] == 1
    # A file for another consultation, uploaded on this one's form, is refused too.
    other = _upload(coordinator, exported, consultation="trains")
    assert other.startswith("422") and "this file is for consultation buses" in other
    # Not a PO file at all: refused politely, with the reason.
    garbage = _upload(coordinator, 'msgid "a"\nmsgstr "b\n\x00')
    assert garbage.startswith("422") and "nothing was changed" in garbage
    # The catalogue's file is checked, not applied.
    catalogue = coordinator.get("/translations/po/cy").text
    checked = _upload(coordinator, catalogue)
    assert checked.startswith("200") and "Checked: it would change 0 message(s)" in checked


def test_the_consultation_page_shows_counts_and_an_upload_form(
    workspace: WorkspaceUnderTest,
) -> None:
    _opened(workspace)
    page = workspace.web("coordinator").get("/consultations/buses")
    assert page.status_code == 200
    assert _row(page.text, "counts-buses", "ar")[1:4] == ["0", "5", "0"]
    assert 'action="/translations/upload"' in page.text
    assert 'name="consultation" value="buses"' in page.text


def test_a_coordinator_marks_a_language_reviewed_as_it_is(workspace: WorkspaceUnderTest) -> None:
    _opened(workspace)
    member = workspace.web("member")
    assert member.post("/translations/review", {"consultation": "buses", "language": "ar"}
                       ).status_code == 403
    coordinator = workspace.web("coordinator")
    assert "Mark Arabic (ar) reviewed by me" in coordinator.get("/translations").text
    done = coordinator.post("/translations/review", {"consultation": "buses", "language": "ar"})
    assert done.status_code == 200
    assert "5 text(s) of buses (ar) marked reviewed by coordinator@heard.example.org" in done.text
    assert _row(done.text, "counts-buses", "ar")[1:4] == ["5", "0", "0"]
    assert _row(done.text, "counts-buses", "cy")[1:4] == ["0", "5", "0"]
    got = workspace.bearer("coordinator").get("/api/consultations/buses").json()
    assert (got["latest_version"], got["live_version"]) == (2, 2)  # an edit of a live one
    # The reviewed texts come out of the export without the fuzzy flag.
    exported = member.get("/translations/po/ar", params={"consultation": "buses"}).text
    assert "#, fuzzy" not in exported
    # An unknown language is refused politely.
    refused = coordinator.post("/translations/review", {"consultation": "buses", "language": "en"})
    assert refused.status_code == 422
