"""The field types the core reads without pydantic are the client models' own."""

from __future__ import annotations

from pulumi_didomi.client import WRITABLE_CONFIG_FIELDS
from pulumi_didomi.core.field_types import CONFIG_FIELD_TYPES
from pulumi_didomi.core.fields import CONFIG_NAMES, CONFIG_PROPS, field_types_from_models


def test_the_committed_field_types_are_generated_from_the_models() -> None:
    assert field_types_from_models() == CONFIG_FIELD_TYPES, (
        "pulumi_didomi/core/field_types.py is stale: run `make sdk`"
    )


def test_the_properties_are_the_writable_fields_with_their_types() -> None:
    assert CONFIG_NAMES == WRITABLE_CONFIG_FIELDS
    by_name = {p.name: p for p in CONFIG_PROPS}
    assert by_name["platform"].enum == ("web", "amp", "app", "ctv")
    assert by_name["consent_duration"].type == "integer"
    assert by_name["targets"].items == "string"
