"""Wire values of the `didomi` provider plugin: `PropertyValue`s on one side, plain Python values
on the other (their names are converted by `pulumi_didomi.core.schema.to_core`/`to_wire`)."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from pulumi.provider.experimental.property_value import Computed, PropertyValue

from pulumi_didomi.core.properties import Description, camel
from pulumi_didomi.core.values import UNKNOWN

# -- wire values <-> plain values ----------------------------------------------------------------


def plain(value: PropertyValue) -> Any:
    """A wire value as plain Python (secrets unwrapped; unknown as the engine's `UNKNOWN`)."""
    inner = value.value
    if isinstance(inner, Computed):
        return UNKNOWN
    if isinstance(inner, Mapping):
        return {k: plain(v) for k, v in inner.items()}
    if isinstance(inner, tuple):
        return [plain(v) for v in inner]
    return inner


def wire(value: Any, secret: bool = False) -> PropertyValue:
    """A plain value on the wire (numbers as doubles, as the engine sends them)."""
    if isinstance(value, PropertyValue):
        return value.with_secret(True) if secret else value
    if isinstance(value, Computed):  # the SDK cannot marshal its own Computed (3.259)
        out = PropertyValue(UNKNOWN)
    elif isinstance(value, Mapping):
        out = PropertyValue({str(k): wire(v) for k, v in value.items()})
    elif isinstance(value, (list, tuple)):
        out = PropertyValue([wire(v) for v in value])
    elif isinstance(value, int) and not isinstance(value, bool):
        out = PropertyValue(float(value))
    else:
        out = PropertyValue(value)
    return out.with_secret(True) if secret else out


def plain_map(values: Mapping[str, PropertyValue]) -> dict[str, Any]:
    plained = ((k, plain(v)) for k, v in values.items())
    return {k: v for k, v in plained if v is not None}


def wire_map(values: Mapping[str, Any], described: Description) -> dict[str, PropertyValue]:
    secret = {p.wire for p in described.props if p.secret}
    return {k: wire(v, k in secret) for k, v in values.items() if v is not None}


def urn_parts(urn: str) -> tuple[str, str, str]:
    """Stack, project and resource name of a URN."""
    match = re.match(r"urn:pulumi:([^:]+)::([^:]+)::.*::(.*)$", urn)
    return (match.group(1), match.group(2), match.group(3)) if match else ("", "", urn)


def wire_name(described: Description, name: str) -> str:
    """A core name as the wire names it (names the description does not know are kept)."""
    prop = described.by_name.get(name)
    return prop.wire if prop else name


_SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


@functools.cache
def _known_names() -> frozenset[str]:
    from pulumi_didomi.core.registry import FUNCTIONS, RESOURCES, TYPES
    from pulumi_didomi.core.schema import CONFIG

    props = [p for r in RESOURCES.values() for p in r.description.props]
    props += [p for t in TYPES.values() for p in t.props]
    props += [p for f in FUNCTIONS.values() for p in (*f.description.args, *f.description.result)]
    return frozenset(p.name for p in (*props, *CONFIG))


def camel_words(text: str) -> str:
    """A message of the core, which names properties the Python way (`delete_on_destroy`,
    `regulation_configurations[1].geo_locations`), in the words of the plugin's callers
    (`deleteOnDestroy`, `regulationConfigurations[1].geoLocations`)."""
    known = _known_names()
    return _SNAKE.sub(lambda m: camel(m.group(0)) if m.group(0) in known else m.group(0), text)
