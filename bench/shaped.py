"""Do-nothing resources of the Didomi resources' shape: the overhead baseline by size.

A `NoticeDraftConfig` and its `NoticeDeployment` carry about 15 properties each, and the
deployment takes values from the draft's outputs (so it registers once the draft has). These
resources carry the same properties, secrets and dependencies, with a provider that only
stores them: what a no-op preview costs for resources of that size, whatever the provider.
Both hostings' baselines (`programs/shaped`, `programs/shaped-native`) are built from here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: The `didomi` plugin's package schema: a native resource's SDK sends every property it
#: declares (None when unset), so a native baseline of the same shape declares as many.
SCHEMA = Path(__file__).resolve().parent.parent / "pulumi_didomi" / "provider" / "schema.json"

#: Outputs the providers add to a draft's and a deployment's inputs (values as in a state).
DRAFT_OUTPUTS: dict[str, Any] = {
    "config_id": "2LQ0D47w",
    "organization_id": "bench-org",
    "updated_at": "2026-11-25T16:18:39.305Z",
    "version": 1,
    "written_revision": "186e909cd4943616",
    "unreviewed": [],
    "unmanaged": {
        "default": False,
        "enable_ignore_consent_before": False,
        "full_atp": False,
        "notice_deny_applies_to_li": True,
        "preferences_deny_applies_to_li": True,
        "regulation_configurations.gdpr": {
            "config": {},
            "disabled_at": False,
            "geo_locations": ["*"],
            "is_default_regulation_config": True,
            "regulation_settings": {},
        },
        "text_mode": "approved",
    },
    "publication": {
        "notice_id": "notice-00000",
        "organization_id": "bench-org",
        "revision": "186e909cd4943616",
        "managed_values": {
            "platform": "web",
            "consent_duration": 6,
            "consent_duration_unit": "months",
        },
        "written_revision": "186e909cd4943616",
        "fingerprint": "4ee43446c1ea98b1",
    },
}
DEPLOYMENT_OUTPUTS: dict[str, Any] = {
    "created_at": "2026-11-25T16:18:39.335Z",
    "deployment_id": "OuEtUlny",
    "live_deployment_id": "OuEtUlny",
    "organization_id": "bench-org",
    "production_config_id": "2LQ0D47w",
    "published_message": "bench",
    "published_revision": "186e909cd4943616",
    "status": "success",
}


def draft_inputs(index: int) -> dict[str, Any]:
    """A draft's inputs, as the benchmark program gives them."""
    return {
        "kind": "draft",
        "notice_id": f"notice-{index:05d}",
        "platform": "web",
        "targets": [f"site-{index}.example.com"],
        "consent_duration": 6,
        "consent_duration_unit": "months",
        "negative_action": "button",
        "disagree_button_style": "primary",
        "revision": "186e909cd4943616",
    }


def deployment_inputs(index: int) -> dict[str, Any]:
    """A deployment's plain inputs (the program adds the ones taken from its draft)."""
    return {
        "kind": "deployment",
        "notice_id": f"notice-{index:05d}",
        "revision": "186e909cd4943616",
        "message": "bench",
    }


def outputs_of(inputs: dict[str, Any]) -> dict[str, Any]:
    """What the do-nothing provider stores: the inputs and the kind's outputs."""
    extra = DRAFT_OUTPUTS if inputs.get("kind") == "draft" else DEPLOYMENT_OUTPUTS
    return {**inputs, **extra}


def changed(olds: dict[str, Any], news: dict[str, Any]) -> bool:
    """Whether any input differs from the stored one (a diff of every input, like a real one)."""
    return any(olds.get(k) != v for k, v in news.items() if k != "__provider")


def schema_properties(token: str) -> list[str]:
    """Every input and output property the `didomi` schema declares for a resource."""
    resource = json.loads(SCHEMA.read_text())["resources"][token]
    return sorted({*resource.get("inputProperties", {}), *resource.get("properties", {})})
