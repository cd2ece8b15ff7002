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


def test_every_table_in_field_types_is_generated_from_the_models() -> None:
    from pulumi_didomi.core import field_types
    from pulumi_didomi.core.fields import field_table_from_models

    for name, value in field_table_from_models().items():
        assert getattr(field_types, name) == value, f"field_types.{name} is stale: run `make sdk`"


def test_regulation_keys_are_the_shared_settings_and_their_own() -> None:
    from pulumi_didomi.client.config_fields import (
        READ_ONLY_REGULATION_KEYS,
        WRITABLE_REGULATION_KEYS,
        SharedSettings,
    )
    from pulumi_didomi.core.fields import REGULATION_CONFIGURATION

    keys = [p.name for p in REGULATION_CONFIGURATION.props]
    assert set(keys) == WRITABLE_REGULATION_KEYS and keys[0] == "regulation_id"
    assert set(SharedSettings.model_fields) <= WRITABLE_REGULATION_KEYS & WRITABLE_CONFIG_FIELDS
    assert {
        "id",
        "organization_id",
        "notice_config_id",
        "created_at",
        "updated_at",
        "version",
    } == READ_ONLY_REGULATION_KEYS
    by_name = {p.name: p for p in REGULATION_CONFIGURATION.props}
    # One description per field: a shared key means in a regulation what it means in the notice.
    assert by_name["consent_duration"].type == "integer"
    assert by_name["consent_duration_unit"].enum == ("months", "days", "seconds")
    config = {p.name: p for p in CONFIG_PROPS}
    assert config["consent_duration"].doc.startswith(by_name["consent_duration"].doc)


def test_config_problems_judges_a_declared_configuration() -> None:
    """The entry point `check` calls: every problem names its field, in one list."""
    from pulumi_didomi.core.fields import config_problems

    values = {
        "platform": "desktop",
        "consent_duration": 1.5,
        "default": True,
        "targets": ["www.example.com"],
        "regulation_configurations": [
            {"regulation_id": "gdpr", "country": "France", "cross_device_timeout": -1},
        ],
    }
    problems = config_problems(values)
    assert [field for field, _ in problems] == [
        "regulation_configurations",
        "regulation_configurations",
        "platform",
        "consent_duration",
        "default",
    ], problems
    reasons = " | ".join(reason for _, reason in problems)
    assert "(gdpr).country: must have at most 2 characters, got 'France'" in reasons
    assert "cross_device_timeout: must be greater than or equal to 0, got -1" in reasons
    assert "expected one of 'web', 'amp', 'app' or 'ctv'" in reasons
    assert "consent_duration: must be a whole number of units" in reasons
    assert "must have empty targets" in reasons
    # Not a list: one clear problem, not a crash.
    assert config_problems({"regulation_configurations": 3}) == [
        (
            "regulation_configurations",
            "must be a valid list of regulation configurations, got int",
        )
    ]
