"""Acceptance mode's settings (the mode itself needs a real Didomi organization)."""

from __future__ import annotations

import pytest

from tests.target import acceptance, acceptance_credential


def test_acceptance_mode_reads_the_didomi_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DIDOMI_API_KEY", "DIDOMI_API_SECRET", "DIDOMI_ORGANIZATION_ID", "DIDOMI_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DIDOMI_ACCEPTANCE", "1")
    assert acceptance()
    with pytest.raises(RuntimeError, match="DIDOMI_API_KEY, DIDOMI_API_SECRET"):
        acceptance_credential()
    monkeypatch.setenv("DIDOMI_API_KEY", "k")
    monkeypatch.setenv("DIDOMI_API_SECRET", "s:with:colons")
    monkeypatch.setenv("DIDOMI_ORGANIZATION_ID", "acme")
    assert acceptance_credential() == ("https://api.didomi.io", "acme:k:s:with:colons")
    monkeypatch.setenv("DIDOMI_ACCEPTANCE", "0")
    assert not acceptance()
