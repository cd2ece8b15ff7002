"""The package schema: generated from the core's descriptions, committed fresh, documented."""

from __future__ import annotations

import json
from typing import Any

from pulumi_didomi.core.properties import camel
from pulumi_didomi.core.registry import RESOURCES
from pulumi_didomi.core.schema import schema_text
from pulumi_didomi.provider import version
from pulumi_didomi.provider.protocol import SCHEMA_FILE


def test_the_committed_schema_is_generated_from_the_descriptions() -> None:
    assert SCHEMA_FILE.read_text() == schema_text(version()), (
        "pulumi_didomi/provider/schema.json is stale: run `make sdk`"
    )


def _described(node: Any, path: str, missing: list[str]) -> None:
    for name, prop in (node.get("properties") or {}).items():
        if not prop.get("description"):
            missing.append(f"{path}.{name}")


def test_every_resource_property_and_function_has_a_description() -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    missing: list[str] = []
    for kind in ("resources", "functions", "types"):
        for token, spec in schema[kind].items():
            if not spec.get("description"):
                missing.append(token)
            _described(spec, token, missing)
            for part in ("inputProperties", "inputs", "outputs"):
                if part in spec:
                    sub = spec[part] if part != "inputProperties" else {"properties": spec[part]}
                    _described(sub, f"{token}.{part}", missing)
    _described(schema["provider"], "provider", missing)
    assert missing == []


def test_tokens_and_wire_names_follow_pulumi_conventions() -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    assert set(schema["resources"]) == {
        "didomi:index:Notice",
        "didomi:index:NoticeDraftConfig",
        "didomi:index:NoticeDeployment",
        "didomi:index:Widget",
        "didomi:index:WidgetDeployment",
        "didomi:index:Purpose",
        "didomi:index:Vendor",
        "didomi:index:NoticeTemplate",
        "didomi:index:NoticeText",
    }
    assert set(schema["functions"]) == {
        "didomi:index:getNoticeDraft",
        "didomi:index:getNoticeDeployments",
        "didomi:index:getRemoteWidgetConfig",
        "didomi:index:getVendor",
        "didomi:index:getPurpose",
    }
    vendor = schema["resources"]["didomi:index:Vendor"]["inputProperties"]
    assert vendor["storages"]["items"] == {"$ref": "#/types/didomi:index:VendorStorage"}
    assert {"defaultPurposes", "categoryId", "deleteOnDestroy"} <= set(vendor)
    draft = schema["resources"]["didomi:index:NoticeDraftConfig"]["inputProperties"]
    assert {"noticeId", "consentDuration", "regulationConfigurations"} <= set(draft)
    assert draft["templates"]["items"] == {"$ref": "#/types/didomi:index:TemplateLink"}
    template = schema["resources"]["didomi:index:NoticeTemplate"]
    assert template["properties"]["link"]["$ref"] == "#/types/didomi:index:TemplateLink"
    assert template["inputProperties"]["notices"]["items"] == {
        "$ref": "#/types/didomi:index:TemplateNotice"
    }
    assert draft["consentDuration"]["type"] == "integer"
    assert draft["platform"]["description"].endswith("One of: web, amp, app, ctv.")
    assert schema["config"]["variables"]["apiSecret"]["secret"] is True
    assert camel("gcm_ad_user_data_default_status") == "gcmAdUserDataDefaultStatus"
    # What a change replaces comes from the same descriptions.
    assert RESOURCES["didomi:index:NoticeDeployment"].description.replaces == (
        "notice_id",
        "organization_id",
        "revision",
    )
