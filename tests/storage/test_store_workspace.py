"""The workspace's repositories on every store (SQLite file, PostgreSQL): accounts, tokens,
sessions, the sign-in throttle, the audit log and the safety queue."""

from __future__ import annotations

from datetime import timedelta

from bot.workspace.accounts import token_hash
from bot.workspace.auth import ACCOUNT_FAILURES, sign_in
from storage.records import AuditEntry, HandoverRequest, SafeguardingAlertRecord
from storage.sql import SqlStore
from tests.storage.store_helpers import PHONE, at

KEY = "k" * 40


def test_accounts_keep_their_groups_and_find_by_email_in_any_case(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        added = uow.users.add("Sam@Example.org", "hash", "member", ["carers", " carers"], at())
        uow.commit()
    with store.unit_of_work() as uow:
        found = uow.users.by_email("SAM@example.org ")
        assert found == added and found.groups == ("carers",)
        assert [u.email for u in uow.users.in_group("carers")] == ["sam@example.org"]
        assert uow.users.password_hash(added.user_id) == "hash"


def test_a_token_is_found_by_its_hash_until_revoked_and_notes_its_last_use(
    store: SqlStore,
) -> None:
    with store.unit_of_work() as uow:
        user = uow.users.add("a@example.org", "hash", "coordinator", [], at())
        token = uow.tokens.add(user.user_id, token_hash("heard_secret"), "heard_secr", "t", at())
        uow.commit()
    with store.unit_of_work() as uow:
        assert uow.tokens.use(token_hash("heard_secret"), at(5)) == user.user_id
        assert uow.tokens.use(token_hash("heard_other"), at(5)) is None
        uow.commit()
    with store.unit_of_work() as uow:
        assert uow.tokens.of_user(user.user_id)[0].last_used_at == at(5)
        assert uow.tokens.revoke(token.token_id, at(6)) is True
        assert uow.tokens.revoke(token.token_id, at(7)) is False
        uow.commit()
    with store.unit_of_work() as uow:
        assert uow.tokens.use(token_hash("heard_secret"), at(8)) is None


def test_a_session_ends_when_it_expires(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        user = uow.users.add("b@example.org", "hash", "admin", [], at())
        uow.web_sessions.start("h" * 64, user.user_id, "csrf", at(), at(60))
        uow.commit()
    with store.unit_of_work() as uow:
        assert uow.web_sessions.find("h" * 64, at(59)) is not None
        assert uow.web_sessions.find("h" * 64, at(60)) is None
        assert uow.web_sessions.purge_expired(at(61)) == 1


def test_sign_in_refuses_an_account_after_repeated_failures_for_a_while(store: SqlStore) -> None:
    from bot.workspace.accounts import hash_password

    with store.unit_of_work() as uow:
        uow.users.add("c@example.org", hash_password("the right password"), "member", [], at())
        uow.commit()

    def attempt(password: str, minutes: float) -> object:
        with store.unit_of_work() as uow:
            result = sign_in(
                uow, "c@example.org", password, "127.0.0.1", at(minutes),
                secret_key=KEY, session_length=timedelta(hours=1),
            )
            uow.commit()
            return result

    for n in range(ACCOUNT_FAILURES):
        assert attempt("wrong password", n * 0.1).cookie is None
    refused = attempt("the right password", 1)
    assert refused.refused_for is not None
    later = attempt("the right password", 20)  # the window has passed
    assert later.cookie is not None


def test_the_audit_log_pages_back_newest_first(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        for n in range(5):
            uow.audit.record(AuditEntry(at(n), None, "command line", "x", f"s{n}"))
        uow.commit()
    with store.unit_of_work() as uow:
        first = uow.audit.recent(limit=2)
        assert [e.subject for e in first] == ["s4", "s3"]
        assert [e.subject for e in uow.audit.recent(2, first[-1].entry_id)] == ["s2", "s1"]


def test_the_queue_is_oldest_first_and_folds_the_alerts_own_handover(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        pid = uow.people.for_address("sms", PHONE, at()).participant_id
        uow.safety.record_handover(HandoverRequest(pid, "asked", None, None, "en", "sms", at(1)))
        uow.safety.record_alert(
            SafeguardingAlertRecord(pid, "risk_to_self", "keyword", "en", "sms", at(2), "clear",
                                    "words")
        )
        uow.safety.record_handover(
            HandoverRequest(pid, "safeguarding", None, None, "en", "sms", at(2))
        )
        uow.commit()
    with store.unit_of_work() as uow:
        queue = uow.safety.queue()
        assert [(i.type, i.reason) for i in queue] == [
            ("request", "asked"), ("alert", "risk_to_self"),
        ]
        assert uow.safety.waiting_count() == 2
        assert uow.safety.acknowledge(queue[1].item_id, "a@example.org", "called", at(3))
        assert not uow.safety.acknowledge(queue[1].item_id, "b@example.org", "again", at(4))
        uow.commit()
    with store.unit_of_work() as uow:
        assert uow.safety.waiting_count() == 1
        (done,) = uow.safety.queue(waiting=False)
        assert (done.acknowledged_by, done.outcome, done.words) == ("a@example.org", "called",
                                                                    "words")
        assert [n.item_id for n in uow.safety.unnotified_alerts()] == [done.item_id]
        uow.safety.mark_notified(done.number, at(5))
        uow.commit()
    with store.unit_of_work() as uow:
        assert uow.safety.unnotified_alerts() == []
