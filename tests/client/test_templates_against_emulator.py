"""The template and text endpoints, against the emulator: bulk listings in pages of 100
(envelopes for templates, bare arrays for texts), a template applied to the drafts linked to
it, the approval rule of text contents, typed errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pulumi_didomi.client import (
    DidomiClient,
    InvalidRequestError,
    NotFoundError,
    NoticeTemplate,
    NoticeTextContent,
)
from pulumi_didomi.client._session import TOKENS
from tests.conftest import ORG_A, ORG_B
from tests.helpers import EmulatorProcess

ORG = ORG_A.split(":")[0]
VENDORS = {"include": ["google"], "iab": {"all": False, "include": [755]}}


@pytest.fixture(autouse=True)
def fresh_tokens() -> Iterator[None]:
    TOKENS.clear()
    yield
    TOKENS.clear()


def client_for(emu: EmulatorProcess, credential: str = ORG_A) -> DidomiClient:
    org, key, secret = credential.split(":")
    return DidomiClient(key, secret, base_url=emu.url + "/v1", organization_id=org, rate_limit=None)


def test_template_applied_to_the_drafts_linked_to_it(emulator: EmulatorProcess) -> None:
    client, other = client_for(emulator), client_for(emulator, ORG_B)
    notice = client.create_notice("Main website")
    template = client.create_template("Europe", [notice.id])
    assert isinstance(template, NoticeTemplate)
    assert (template.name, template.notices_id, template.organization_id) == (
        "Europe",
        [notice.id],
        ORG,
    )
    config = next(c for c in client.list_template_configs() if c.template_id == template.id)
    assert config.config == {} and config.version == 0
    # Link the draft's GDPR regulation configuration to the template, then write the template.
    draft = client.current_draft(notice.id)
    assert draft.regulation_configurations is not None
    gdpr = draft.regulation_configurations[0]
    item = {"id": gdpr.id, "template_id": template.id, "config": {"theme": {"color": "#000"}}}
    client.update_draft(draft.id, {"regulation_configurations": [item]})
    written = client.update_template_config(
        config.id,
        {"config": {"app": {"vendors": VENDORS, "essentialPurposes": ["cookies"]}}},
    )
    assert written.version == 1 and written.config["app"]["vendors"] == VENDORS
    linked = client.current_draft(notice.id).regulation_configurations
    assert linked is not None
    assert linked[0].model_dump()["config"] == {
        "app": {"vendors": VENDORS, "essentialPurposes": ["cookies"]},
        "theme": {"color": "#000"},
    }
    renamed = client.update_template(template.id, {"name": "EU"})
    assert (renamed.name, renamed.version) == ("EU", 1)
    assert client.get_template(template.id).name == "EU"
    # Typed errors: another organization's template is missing; notices must be the caller's.
    with pytest.raises(NotFoundError):
        other.get_template(template.id)
    with pytest.raises(InvalidRequestError, match="notices_id"):
        client.update_template(template.id, {"notices_id": ["not-a-notice"]})
    assert client.delete_template(template.id).id == template.id
    unlinked = client.current_draft(notice.id).regulation_configurations
    assert unlinked is not None and unlinked[0].model_dump()["template_id"] is None
    assert client.list_templates() == [] and client.list_template_configs() == []


def test_templates_and_configs_listed_in_bulk(emulator: EmulatorProcess) -> None:
    client = client_for(emulator)
    made = {client.create_template(f"t{i}", []).id for i in range(101)}
    assert {t.id for t in client.list_templates()} == made
    assert {c.template_id for c in client.list_template_configs()} == made
    assert client.calls["GET /widgets/notices/templates"] == 2  # 101 templates: 2 pages
    assert client.calls["GET /widgets/notices/templates/configs"] == 2
    assert client_for(emulator, ORG_B).list_templates() == []


def test_texts_listed_in_bulk_and_contents_submitted(emulator: EmulatorProcess) -> None:
    client = client_for(emulator)
    texts = [client.create_text({"name": f"text {i}", "platforms": ["web"]}) for i in range(101)]
    assert (texts[0].platforms, texts[0].default, texts[0].organization_id) == (["web"], False, ORG)
    assert {t.id for t in client.list_texts()} == {t.id for t in texts}
    assert client.calls["GET /widgets/notices/texts"] == 2  # bare arrays: 100, then 1
    changed = client.update_text(texts[0].id, {"default": True, "platforms": ["web", "app"]})
    assert (changed.default, changed.platforms, changed.version) == (True, ["web", "app"], 1)
    with pytest.raises(InvalidRequestError, match="platforms"):
        client.create_text({"name": "x", "platforms": ["tv"]})
    first = client.create_text_content(texts[0].id, "We use cookies")
    assert isinstance(first, NoticeTextContent)
    assert (first.status, first.content_version, first.includes_purposes) == ("submitted", 1, False)
    second = client.create_text_content(texts[0].id, "We and our partners", includes_purposes=True)
    assert (second.content_version, second.includes_purposes) == (2, True)
    emulator.review_text_content(first.id, "approved").raise_for_status()
    listed = {c.id: c for c in client.list_text_contents()}
    assert (listed[first.id].status, listed[second.id].status) == ("approved", "submitted")
    assert client.calls["GET /widgets/notices/texts-contents"] == 1
    with pytest.raises(InvalidRequestError, match="text_id"):
        client_for(emulator, ORG_B).create_text_content(texts[0].id, "theirs")
