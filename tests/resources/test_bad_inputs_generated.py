"""Generated bad inputs fail `check` naming the field, in both hostings' public check paths, with
no traceback and no API call; values at the edge of what is allowed pass.

The plugin's check takes wire values (camelCase names, what TypeScript, Go and YAML send), the
dynamic providers' takes the program's values (snake_case names)."""

from __future__ import annotations

import asyncio
import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pulumi.provider.experimental import provider as rpc

from pulumi_didomi.core.properties import camel
from pulumi_didomi.provider.protocol import DidomiPlugin
from pulumi_didomi.provider.wire import wire
from pulumi_didomi.resources import (
    NoticeDeploymentProvider,
    NoticeDraftConfigProvider,
    NoticeProvider,
    WidgetDeploymentProvider,
    WidgetProvider,
)

#: Each resource with inputs that pass check, its dynamic provider and a URN for the plugin.
RESOURCES: dict[str, tuple[Any, dict[str, Any]]] = {
    "NoticeDraftConfig": (NoticeDraftConfigProvider(), {"notice_id": "n1"}),
    "NoticeDeployment": (NoticeDeploymentProvider(), {"notice_id": "n1", "revision": "r1"}),
    "Notice": (NoticeProvider(), {"name": "Shop"}),
    "Widget": (WidgetProvider(), {"name": "Preference center"}),
    "WidgetDeployment": (WidgetDeploymentProvider(), {"widget_id": "w1"}),
}

#: Inputs and the values that break them, anywhere in the value.
NOT_JSON = st.sampled_from([math.nan, math.inf, -math.inf])
OBJECT_INPUTS = {
    "NoticeDraftConfig": ["config", "custom_json", "notice_active_elements_order"],
    "WidgetDeployment": ["triggers"],
}
NUMBER_INPUTS = {
    "NoticeDraftConfig": ["consent_duration", "cross_device_timeout"],
    "NoticeDeployment": ["timeout"],
}


def _plugin_failures(resource: str, inputs: dict[str, Any]) -> dict[str, str]:
    urn = f"urn:pulumi:dev::site::didomi:index:{resource}::x"
    news = {camel(k): wire(v) for k, v in inputs.items()}
    loop = asyncio.new_event_loop()
    try:
        response = loop.run_until_complete(
            DidomiPlugin().check(rpc.CheckRequest(urn, {}, news, b""))
        )
    finally:
        loop.close()
    return {f.property: f.reason for f in response.failures or []}


def _dynamic_failures(resource: str, inputs: dict[str, Any]) -> dict[str, str]:
    provider, _ = RESOURCES[resource]
    return {f.property: f.reason for f in provider.check({}, inputs).failures}


def _nested(value: Any) -> Any:
    return st.recursive(
        st.just(value),
        lambda inner: st.one_of(
            st.dictionaries(st.text("abcxyz_", min_size=1, max_size=6), inner, min_size=1),
            st.lists(inner, min_size=1, max_size=3),
        ),
        max_leaves=4,
    )


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(data=st.data())
def test_a_value_json_cannot_carry_is_refused_naming_the_field(data: st.DataObject) -> None:
    resource = data.draw(st.sampled_from(sorted(OBJECT_INPUTS)))
    name = data.draw(st.sampled_from(OBJECT_INPUTS[resource]))
    bad = data.draw(_nested(data.draw(NOT_JSON)))
    value = bad if isinstance(bad, dict) else {"key": bad}
    inputs = {**RESOURCES[resource][1], name: value}
    dynamic = _dynamic_failures(resource, inputs)
    assert set(dynamic) == {name}, dynamic
    assert "is not a number Didomi accepts" in dynamic[name] and name in dynamic[name]
    plugin = _plugin_failures(resource, inputs)
    assert set(plugin) == {camel(name)}, plugin
    where = plugin[camel(name)].split(":")[0]  # the path, in the caller's words
    assert where.startswith(camel(name)) and ("_" not in name or name not in where), where


@SETTINGS
@given(data=st.data())
def test_a_number_json_cannot_carry_is_refused_naming_the_field(data: st.DataObject) -> None:
    resource = data.draw(st.sampled_from(sorted(NUMBER_INPUTS)))
    name = data.draw(st.sampled_from(NUMBER_INPUTS[resource]))
    inputs = {**RESOURCES[resource][1], name: data.draw(NOT_JSON)}
    assert set(_dynamic_failures(resource, inputs)) == {name}
    assert set(_plugin_failures(resource, inputs)) == {camel(name)}


@SETTINGS
@given(
    index=st.integers(0, 2),
    key=st.sampled_from(["geo_locations", "consent_duration", "config"]),
    bad=st.sampled_from([math.nan, "nowhere", b"\x00"]),
)
def test_a_bad_regulation_entry_names_the_item_and_the_key(index: int, key: str, bad: Any) -> None:
    if key == "config" and bad == "nowhere":
        bad = math.inf  # any string is a valid value inside `config`
    items: list[dict[str, Any]] = [
        {"regulation_id": r} for r in ("gdpr", "cpra", "cpa")[: index + 1]
    ]
    items[index][key] = [bad] if key == "geo_locations" else {"x": bad} if key == "config" else bad
    inputs = {"notice_id": "n1", "regulation_configurations": items}
    dynamic = _dynamic_failures("NoticeDraftConfig", inputs)
    assert set(dynamic) == {"regulation_configurations"}, dynamic
    assert f"regulation_configurations[{index}]" in dynamic["regulation_configurations"]
    if isinstance(bad, bytes):
        return  # a program cannot even send bytes to the plugin (the SDKs refuse them)
    plugin = _plugin_failures("NoticeDraftConfig", inputs)
    assert set(plugin) == {"regulationConfigurations"}, plugin
    assert f"regulationConfigurations[{index}]" in plugin["regulationConfigurations"]
    assert camel(key) in plugin["regulationConfigurations"]


def test_values_at_the_edge_of_what_is_allowed_pass() -> None:
    edges = {
        "NoticeDraftConfig": {
            "notice_id": "n1",
            "consent_duration": 1,
            "consent_duration_unit": "seconds",
            "cross_device_timeout": 0,
            "country": "FR",
            "config": {"deep": {"list": [1.5, -2, "x", None, True]}},
            "regulation_configurations": [{"regulation_id": "cpra", "geo_locations": ["US_CA"]}],
        },
        "NoticeDeployment": {"notice_id": "n1", "revision": "r1", "timeout": 0.001},
        "WidgetDeployment": {"widget_id": "w1", "triggers": {"r": "1", "n": 1e308}},
    }
    for resource, inputs in edges.items():
        assert _dynamic_failures(resource, inputs) == {}, resource
        assert _plugin_failures(resource, inputs) == {}, resource
