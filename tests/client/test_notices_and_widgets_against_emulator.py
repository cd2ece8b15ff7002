"""The notice and widget endpoints the Notice and Widget resources use, against the emulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pulumi_didomi.client import DidomiClient, NotFoundError
from pulumi_didomi.client._session import TOKENS
from tests.conftest import ORG_A
from tests.helpers import EmulatorProcess

ORG, KEY, SECRET = ORG_A.split(":")


@pytest.fixture(autouse=True)
def fresh_tokens() -> Iterator[None]:
    TOKENS.clear()
    yield
    TOKENS.clear()


def client_for(emu: EmulatorProcess) -> DidomiClient:
    return DidomiClient(KEY, SECRET, base_url=emu.url + "/v1", organization_id=ORG, rate_limit=None)


def test_notice_lifecycle(emulator: EmulatorProcess) -> None:
    client = client_for(emulator)
    notice = client.create_notice("Main website", environment="production", external_id="x-1")
    assert (notice.name, notice.environment, notice.external_id) == (
        "Main website",
        "production",
        "x-1",
    )
    assert notice.archived_at is None and notice.organization_id == ORG
    renamed = client.update_notice(
        notice.id, {"name": "Main", "archived_at": "2026-01-31T00:00:00.000Z"}
    )
    assert renamed.name == "Main" and renamed.archived_at is not None
    assert renamed.environment == "production"
    assert [n.id for n in client.list_notices()] == [notice.id]
    assert client.delete_notice(notice.id).id == notice.id
    with pytest.raises(NotFoundError):
        client.get_notice(notice.id)
    assert client.list_notices() == []


def test_widget_create_update_and_list(emulator: EmulatorProcess) -> None:
    client = client_for(emulator)
    created = [client.create_widget(f"w{i}", format="hosted") for i in range(3)]
    assert all(w.format == "hosted" and w.archived is False for w in created)
    archived = client.update_widget(created[0].id, {"archived": True})
    assert archived.archived is True and archived.name == "w0"
    listed = {w.id: w for w in client.list_widgets()}
    assert set(listed) == {w.id for w in created}
    assert listed[created[0].id].archived is True
    assert client.calls["GET /widgets"] == 1
