"""The data manager endpoints the Vendor and Purpose resources and the lookups use, against the
emulator: bulk listings in pages of 100, translations, storage disclosures, typed errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pulumi_didomi.client import DidomiClient, ForbiddenError, InvalidRequestError, NotFoundError
from pulumi_didomi.client._session import TOKENS
from tests.conftest import ORG_A, ORG_B
from tests.helpers import EmulatorProcess

ORG, KEY, SECRET = ORG_A.split(":")


@pytest.fixture(autouse=True)
def fresh_tokens() -> Iterator[None]:
    TOKENS.clear()
    yield
    TOKENS.clear()


def client_for(emu: EmulatorProcess, credential: str = ORG_A) -> DidomiClient:
    org, key, secret = credential.split(":")
    return DidomiClient(key, secret, base_url=emu.url + "/v1", organization_id=org, rate_limit=None)


def test_purposes_with_translations(emulator: EmulatorProcess) -> None:
    client = client_for(emulator)
    texts = {"description": {"en": "Analytics", "fr": "Mesure"}, "details": {"en": "We count"}}
    made = client.create_purpose({**texts, "regulations_id": ["gdpr"]})
    assert (made.description, made.organization_id) == (texts["description"], ORG)
    patched = client.update_purpose(made.id, {"details": {"en": "We count", "de": "Zählen"}})
    assert patched.details == {"en": "We count", "de": "Zählen"}
    assert client.get_purpose(made.id).regulations_id == ["gdpr"]
    listed = {p.id: p for p in client.list_purposes()}
    assert listed[made.id].description == texts["description"]
    assert listed["cookies"].organization_id is None  # Didomi's global purposes come along
    assert client.calls["GET /metadata/purposes"] == 1
    assert client.delete_purpose(made.id).id == made.id
    with pytest.raises(NotFoundError):
        client.get_purpose(made.id)


def test_vendors_listed_in_bulk_with_storages(emulator: EmulatorProcess) -> None:
    client, other = client_for(emulator), client_for(emulator, ORG_B)
    purpose = client.create_purpose({"description": {"en": "P"}, "details": {"en": "D"}})
    made = [client.create_vendor({"name": f"v{i}", "category_id": "analytics"}) for i in range(110)]
    listed = {v.id: v for v in client.list_vendors()}
    assert set(listed) >= {v.id for v in made} and listed["google"].namespaces == {
        "didomi": "google",
        "iab2": "755",
    }
    assert client.calls["GET /metadata/partners"] == 2  # 128 vendors: two pages of 100
    storage = client.create_vendor_storage(
        made[0].id,
        {"type": "cookie", "identifier": "_v", "domain": "v.example", "max_age": 6,
         "max_age_unit": "months", "purposes_id": [purpose.id]},
    )  # fmt: skip
    assert storage.partner_id == made[0].id
    changed = client.update_vendor_storage(storage.id, {"max_age": 13})
    assert changed.max_age == 13
    assert [s.id for s in client.list_vendor_storages()] == [storage.id]
    assert other.list_vendor_storages() == []
    with pytest.raises(InvalidRequestError, match="category_id"):
        client.create_vendor({"name": "x", "category_id": "nope"})
    with pytest.raises(ForbiddenError):
        client.update_vendor("google", {"name": "Mine"})
    with pytest.raises(NotFoundError):
        other.get_vendor(made[0].id)
    deprecated = client.update_vendor(made[0].id, {"deprecated": True})
    assert deprecated.deprecated is True and deprecated.version == 1
    client.delete_vendor(made[0].id)
    assert client.list_vendor_storages() == []
    assert {c.id for c in client.list_vendor_categories()} >= {"analytics", "advertising"}
