"""The run's draft book: one listing for N drafts, safe when stale (a fake client counts calls;
the same rules run against the emulator in tests/e2e/test_call_budgets.py)."""

from __future__ import annotations

from typing import Any

from pulumi_didomi.client import NoticeConfig
from pulumi_didomi.core.drafts import DraftBook, concurrent_changes


def _draft(notice: str, config: str = "c", version: int = 0) -> NoticeConfig:
    return NoticeConfig(
        id=f"{config}-{notice}", organization_id="o", notice_id=notice, version=version
    )


class FakeApi:
    base_url = "https://api.example"

    def __init__(self, notices: list[str]) -> None:
        self.notices = notices
        self.calls: list[str] = []

    def drafts(self, org: str) -> dict[str, NoticeConfig]:
        self.calls.append("list")
        return {n: _draft(n) for n in self.notices}

    def current_draft(self, notice: str, org: str) -> NoticeConfig:
        self.calls.append(f"get {notice}")
        return _draft(notice, "fresh")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_one_get_then_one_listing_resolve_every_draft_of_a_run() -> None:
    api: Any = FakeApi([f"n{i}" for i in range(250)])
    book = DraftBook()
    assert all(book.resolve(api, "o", f"n{i}").notice_id == f"n{i}" for i in range(250))
    assert api.calls == ["get n0", "list"]  # a run that changes one notice stops at the GET
    # A notice created after the listing is read on its own.
    api.notices.append("late")
    assert book.resolve(api, "o", "late").id == "fresh-late"
    assert api.calls == ["get n0", "list", "get late"]


def test_writes_keep_the_book_current_and_publications_forget() -> None:
    api: Any = FakeApi(["n1"])
    clock = Clock()
    book = DraftBook(max_age=30, clock=clock)
    assert book.resolve(api, "o", "n1").id == "fresh-n1"  # the run's first: one GET
    assert book.draft(api, "o", "n1") is not None and api.calls == ["get n1", "list"]
    assert book.written(api, "o", "n1") is None
    book.record_write(api, "o", _draft("n1", "w", version=1))
    assert book.written(api, "o", "n1") is not None  # for the whole run
    assert book.resolve(api, "o", "n1").id == "w-n1"
    clock.now = 31  # the listing is too old to stand for the drafts: listed again
    assert book.resolve(api, "o", "n1").id == "c-n1" and api.calls[-1] == "list"
    assert book.written(api, "o", "n1") is not None
    book.forget(api, "o", "n1")  # published: the notice has a new draft
    assert book.written(api, "o", "n1") is None
    assert book.resolve(api, "o", "n1").id == "fresh-n1"


def test_concurrent_changes_are_what_the_patch_does_not_explain() -> None:
    before = {"platform": "web", "gcm_enabled": False, "consent_duration": 12}
    body = {"consent_duration": 6}
    after = {"platform": "web", "gcm_enabled": True, "consent_duration": 6}
    fields = ["platform", "gcm_enabled", "consent_duration"]
    assert concurrent_changes(before, body, after, fields) == ["gcm_enabled"]
    assert concurrent_changes(before, body, {**after, "gcm_enabled": False}, fields) == []


def test_a_retried_patch_is_not_someone_elses_write() -> None:
    from pulumi_didomi.core.drafts import _written_by_others

    before = {"targets": ["a"], "config": {"app": {"name": "x"}}, "platform": "web"}
    body = {"targets": ["b"], "config": {"app": {"name": "y"}}}
    after = {**before, **body}
    listed, twice = _draft("n1", version=3), _draft("n1", version=5)
    # Applied twice by the client's own retry (2 attempts): nobody else wrote.
    assert _written_by_others(listed, twice, before, body, after, attempts=2) == []
    # One attempt, version moved by 2: someone wrote; only the partly managed object is at risk
    # (a list is replaced whole and fully managed).
    assert _written_by_others(listed, twice, before, body, after, attempts=1) == ["config"]
    # A field outside the PATCH that changed is someone else's, whatever the version.
    moved = {**after, "platform": "amp"}
    assert _written_by_others(listed, _draft("n1", version=4), before, body, moved) == ["platform"]
