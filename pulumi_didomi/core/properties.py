"""How the package is described once (no `pulumi` import): a property's type, docs, whether the
program sets it, whether a change replaces the resource, secrecy, the rules `check` applies and
how a hosting derives it from other inputs; a resource's, an object type's and a function's
description. From them come the package schema, the wire names and the checks."""

from __future__ import annotations

import difflib
import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi_didomi.core.values import UNKNOWN, has_unknown

PACKAGE = "didomi"


@functools.cache
def camel(name: str) -> str:
    """`consent_duration` -> `consentDuration` (the schema's and the wire's names)."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


@dataclass(frozen=True)
class Naming:
    """Where a resource is declared (its stack and name), for what an input derives from it:
    the default message of a deployment. Each hosting fills it the way it knows."""

    project: str = ""
    stack: str = ""
    name: str = ""
    #: The stack's `didomi:deploymentMessage`.
    message_template: str | None = None


#: How a derived input is computed: from the inputs it uses (plain, known values) and where
#: the resource is declared.
Derivation = Callable[[Mapping[str, Any], Naming], Any]


class Values:
    """How values are taken apart and combined where some may not be known yet: plain values
    (the core, the plugin: `UNKNOWN` stands for what a preview does not know). A dynamic program
    combines Outputs instead (`pulumi_didomi.resources._dynamic`), through the same rules."""

    def part(self, source: Any, name: str) -> Any:
        """The part `name` of an object (unknown while the object is)."""
        if isinstance(source, Mapping):
            return source.get(name)
        return UNKNOWN if has_unknown(source) else None

    def combine(self, used: Mapping[str, Any], of: Callable[[Mapping[str, Any]], Any]) -> Any:
        """`of` the values used (unknown while one of them is)."""
        return UNKNOWN if has_unknown(used) else of(used)


PLAIN = Values()


@dataclass(frozen=True)
class Part:
    """One part of an object a resource hands to another (`Prop.handoff`): computed from the
    named properties of the resource that hands it (inputs are known in a preview, outputs once
    the resource is written)."""

    uses: tuple[str, ...]
    of: Callable[[Mapping[str, Any]], Any] | None = None  # default: the one property used
    secret: bool = False

    def value(self, props: Mapping[str, Any], values: Values = PLAIN) -> Any:
        used = {k: props[k] for k in self.uses if props.get(k) is not None}
        if self.of is None:
            return used.get(self.uses[0])
        return values.combine(used, self.of)


@dataclass(frozen=True)
class Prop:
    """One property of a resource, a type or a function."""

    name: str
    type: str  # string | integer | number | boolean | object | array | #/types/<token>
    doc: str
    required: bool = False
    input: bool = True  # set by the program (else computed by the provider)
    replaces: bool = False  # a change needs a new resource
    secret: bool = False
    items: str | None = None  # the item type of an array
    enum: tuple[str, ...] = ()
    #: The schema's enum type of `enum` (TypeScript literal unions, Go constants, Python
    #: string enums): values typed in the SDKs, still plain strings on the wire.
    enum_name: str = ""
    default: Any = None
    needed: bool = False  # required by check, though another input may provide it
    rule: str | None = None  # "nonempty" (strings) or "positive" (numbers)
    hint: str = ""  # after "required: " when a required input is missing (default: doc)
    invalid: str = ""  # the message for a value of the wrong type or range
    #: An input computed when the program does not give it, from the inputs in `uses`.
    derive: Derivation | None = field(default=None, compare=False)
    uses: tuple[str, ...] = ()
    #: An input taken, when not given, from the same-named part of this object input.
    default_from: str | None = None
    #: An output object another resource takes as an input (e.g. a draft's `publication`):
    #: its parts, so that each hosting builds it alike.
    handoff: tuple[tuple[str, Part], ...] = ()

    @property
    def wire(self) -> str:
        """The name on the wire and in the schema."""
        return camel(self.name)

    def spec(self) -> dict[str, Any]:
        """The property's schema."""
        out: dict[str, Any] = {"description": self.doc}
        enum = self.enum_type()
        out.update({"$ref": f"#/types/{enum.token}"} if enum else _type_spec(self.type, self.items))
        if self.replaces:
            out["replaceOnChanges"] = True
        if self.secret:
            out["secret"] = True
        if self.default is not None:
            out["default"] = self.default
        return out

    def enum_type(self) -> EnumType | None:
        """The schema's enum type of this property's allowed values, if it has one."""
        if not (self.enum and self.enum_name):
            return None
        return EnumType(f"{PACKAGE}:index:{self.enum_name}", self.enum)


@dataclass(frozen=True)
class EnumType:
    """A set of allowed string values, named (an enum type of the schema)."""

    token: str
    values: tuple[str, ...]

    def spec(self) -> dict[str, Any]:
        return {
            "description": f"The values allowed: {', '.join(self.values)}.",
            "type": "string",
            "enum": [{"name": _enum_member(v), "value": v} for v in self.values],
        }


def _enum_member(value: str) -> str:
    """`bit_field_2_bits` -> `BitField2Bits` (the SDKs' constant names)."""
    return "".join(part[:1].upper() + part[1:] for part in value.replace("-", "_").split("_"))


def _type_spec(kind: str, items: str | None = None) -> dict[str, Any]:
    if kind.startswith("#/types/"):
        return {"$ref": kind}
    if kind == "object":
        return {"type": "object", "additionalProperties": {"$ref": "pulumi.json#/Any"}}
    if kind == "any":
        return {"$ref": "pulumi.json#/Any"}
    if kind == "array":
        return {"type": "array", "items": _type_spec(items or "any")}
    return {"type": kind}


@dataclass(frozen=True)
class Description:
    """A resource: its token, documentation and properties (inputs and computed outputs)."""

    name: str
    doc: str
    props: tuple[Prop, ...]
    id_doc: str = ""
    #: The object types its properties use (`#/types/<token>`).
    types: tuple[ObjectType, ...] = ()
    #: Inputs naming the Didomi object a stack manages with at most one resource of this kind
    #: (two resources of a stack on one notice would overwrite each other).
    unique: tuple[str, ...] = ()
    #: Positional parameters of the dynamic resource class after its name (`Notice("n", "Shop")`).
    positional: tuple[str, ...] = ()

    @property
    def token(self) -> str:
        return f"{PACKAGE}:index:{self.name}"

    @property
    def inputs(self) -> tuple[Prop, ...]:
        return tuple(p for p in self.props if p.input)

    @property
    def outputs(self) -> tuple[Prop, ...]:
        """The properties the provider computes."""
        return tuple(p for p in self.props if not p.input)

    @property
    def derived(self) -> frozenset[str]:
        """The inputs a hosting computes when the program does not give them."""
        return frozenset(p.name for p in self.props if p.derive or p.default_from)

    @property
    def replaces(self) -> tuple[str, ...]:
        """The inputs whose change needs a new resource."""
        return tuple(p.name for p in self.props if p.replaces)

    @property
    def by_wire(self) -> dict[str, Prop]:
        return {p.wire: p for p in self.props}

    @property
    def by_name(self) -> dict[str, Prop]:
        return {p.name: p for p in self.props}

    def spec(self) -> dict[str, Any]:
        """The resource's schema."""
        return {
            "description": self.doc,
            "properties": {p.wire: p.spec() for p in self.props},
            "required": sorted(p.wire for p in self.props if p.required or not p.input),
            "inputProperties": {p.wire: p.spec() for p in self.inputs},
            "requiredInputs": sorted(p.wire for p in self.inputs if p.required),
        }


@dataclass(frozen=True)
class FunctionDescription:
    """A function (an invoke): its token, documentation, arguments and result."""

    name: str
    doc: str
    args: tuple[Prop, ...]
    result: tuple[Prop, ...]

    @property
    def token(self) -> str:
        return f"{PACKAGE}:index:{self.name}"

    def spec(self) -> dict[str, Any]:
        def obj(props: tuple[Prop, ...]) -> dict[str, Any]:
            return {
                "properties": {p.wire: p.spec() for p in props},
                "required": sorted(p.wire for p in props if p.required),
                "type": "object",
            }

        return {"description": self.doc, "inputs": obj(self.args), "outputs": obj(self.result)}


@dataclass(frozen=True)
class ObjectType:
    """A named object type of the schema (the items of `regulation_configurations`)."""

    token: str
    doc: str
    props: tuple[Prop, ...] = field(default_factory=tuple)

    def spec(self) -> dict[str, Any]:
        return {
            "description": self.doc,
            "type": "object",
            "properties": {p.wire: p.spec() for p in self.props},
            "required": sorted(p.wire for p in self.props if p.required),
        }


def input_problems(
    resource: Description,
    news: Mapping[str, Any],
    is_unknown: Callable[[Any], bool],
    skip: frozenset[str] = frozenset(),
) -> list[tuple[str, str]]:
    """`(field, reason)` for the inputs of `resource` that break their description (required,
    type, rule); values not known yet, and the inputs named in `skip` (validated elsewhere),
    are skipped."""
    problems = []
    for prop in resource.inputs:
        value = news.get(prop.name)
        json = json_problems(prop.name, value, is_unknown)
        if json:  # nothing else can be said of a value Didomi cannot even receive
            problems += json
            continue
        if prop.name in skip or is_unknown(value):
            continue
        needed = prop.required or prop.needed
        if needed and prop.type == "string" and (not isinstance(value, str) or not value.strip()):
            problems.append((prop.name, f"required: {prop.hint or prop.doc}"))
        elif value is not None and (reason := _value_problem(prop, value)):
            problems.append((prop.name, reason))
    return problems


def json_problems(
    path: str, value: Any, is_unknown: Callable[[Any], bool]
) -> list[tuple[str, str]]:
    """`(field, reason)` for each part of `value` that JSON, and so Didomi, cannot carry: a NaN
    or an infinity, bytes, a key that is not a string, any other object; `path` names the part
    (`config.app.ratio`, `targets[2]`). Values not known yet are skipped."""
    field = path.split(".")[0].split("[")[0]
    if value is None or isinstance(value, (bool, int, str)) or is_unknown(value):
        return []
    if isinstance(value, float):
        if math.isfinite(value):
            return []
        return [(field, f"{path}: {value!r} is not a number Didomi accepts; give a finite number")]
    if isinstance(value, (bytes, bytearray)):
        return [(field, f"{path}: bytes cannot be sent to Didomi; give a string (decode them)")]
    if isinstance(value, Mapping):
        problems = []
        for key, item in value.items():
            if not isinstance(key, str):
                problems.append((field, f"{path}: keys must be strings, got {key!r}"))
                continue
            problems += json_problems(f"{path}.{key}", item, is_unknown)
        return problems
    if isinstance(value, (list, tuple)):
        problems = []
        for index, item in enumerate(value):
            problems += json_problems(f"{path}[{index}]", item, is_unknown)
        return problems
    return [(field, f"{path}: a {type(value).__name__} is not a JSON value Didomi accepts")]


def _value_problem(prop: Prop, value: Any) -> str | None:
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if prop.type == "string" and not isinstance(value, str):
        return prop.invalid or "must be a string"
    if prop.type == "string" and prop.rule == "nonempty" and not value.strip():
        return prop.invalid or "must be a non-empty string when set"
    if prop.type == "boolean" and not isinstance(value, bool):
        return prop.invalid or f"must be true or false, got {value!r}"
    if prop.type in ("number", "integer") and (
        not number or (prop.rule == "positive" and value <= 0)
    ):
        return (prop.invalid or "must be a number") + f", got {value!r}"
    if prop.type == "object" and not isinstance(value, Mapping):
        return prop.invalid or "must be a map"
    if prop.type == "array" and (
        not isinstance(value, (list, tuple))
        or (prop.items == "string" and not all(isinstance(v, str) for v in value))
    ):
        return prop.invalid or f"must be a list of {prop.items or 'value'}s, got {value!r}"
    if prop.enum and value not in prop.enum:
        close = difflib.get_close_matches(str(value), prop.enum, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"must be one of {', '.join(prop.enum)}, got {value!r}{hint}"
    return None
