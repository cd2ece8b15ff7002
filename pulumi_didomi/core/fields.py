"""The notice-configuration field table as the core uses it (no `pulumi` import): the
properties of `NoticeDraftConfig` and of its `RegulationConfiguration` type, and the checks of
their values, all derived from the client's models (`pulumi_didomi.client.config_fields`).

`make sdk` reads the models once into `field_types.py` (types, allowed values, meanings,
ranges, the keys Didomi sets), so that a Pulumi program, which never validates a value, does
not import pydantic; `check` validates with the models themselves (`config_problems`).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from pulumi_didomi.core.field_types import (
    CONFIG_FIELD_TYPES,
    ENUM_NAMES,
    FIELD_DOCS,
    REGULATION_KEY_TYPES,
    FieldType,
)
from pulumi_didomi.core.properties import PACKAGE, ObjectType, Prop
from pulumi_didomi.core.regulations import regulation_problems
from pulumi_didomi.core.values import REGULATIONS, has_unknown, normalize

if TYPE_CHECKING:
    from pydantic.fields import FieldInfo

REGULATION_TYPE = f"{PACKAGE}:index:RegulationConfiguration"


# -- the properties -------------------------------------------------------------------------------


def _doc(text: str, enum: tuple[str, ...]) -> str:
    text = text.strip().rstrip(".") + "."
    return f"{text} One of: {', '.join(enum)}." if enum else text


#: Every writable field of a notice configuration: inputs of `NoticeDraftConfig`.
CONFIG_PROPS = tuple(
    Prop(
        name,
        kind,
        _doc(FIELD_DOCS[name], enum),
        items=items,
        enum=enum,
        enum_name=ENUM_NAMES.get(enum, ""),
    )
    for name, kind, items, enum in CONFIG_FIELD_TYPES
)
CONFIG_NAMES = frozenset(p.name for p in CONFIG_PROPS)
#: Numbers Didomi counts in whole units (`integer` in the schema), in the table's order.
INTEGRAL = tuple(name for name, kind, _, _ in CONFIG_FIELD_TYPES if kind == "integer")

REGULATION_CONFIGURATION = ObjectType(
    REGULATION_TYPE,
    "One regulation's settings in a notice configuration, matched by `regulationId` "
    "(gdpr, cpra, cpa, ctdpa, vcdpa). Objects inside are managed key by key.",
    tuple(
        Prop(
            name,
            kind,
            _doc(FIELD_DOCS[name], enum),
            required=name == "regulation_id",
            items=items,
            enum=enum,
            enum_name=ENUM_NAMES.get(enum, ""),
        )
        for name, kind, items, enum in REGULATION_KEY_TYPES
    ),
)


# -- the checks -----------------------------------------------------------------------------------


def config_problems(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """`(field, reason)` for every invalid value of a notice configuration a program declares
    (`values`: the managed fields, normalized): regulation items, types, allowed values and
    ranges, whole units, then Didomi's cross-field rules. Values not known yet (preview) are
    not judged; the cross-field rules run once every value is known."""
    problems: list[tuple[str, str]] = []
    if REGULATIONS in values:
        problems += regulation_problems(values[REGULATIONS], has_unknown)
    known = {k: v for k, v in values.items() if not has_unknown(v) and k != REGULATIONS}
    problems += field_problems(known)
    problems += fractional({k: v for k, v in values.items() if not has_unknown(v)})
    if len(known) == len(values) - (REGULATIONS in values):
        from pulumi_didomi.client.config_fields import config_rule_violations

        problems += config_rule_violations(known)
    return problems


def field_problems(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Type, enum and range errors of configuration values, one message per field."""
    from pydantic import ValidationError  # the provider's, not the program's, import

    from pulumi_didomi.client.config_fields import NoticeConfigFields

    try:
        NoticeConfigFields.model_validate(dict(values), strict=True)
    except ValidationError as exc:
        grouped: dict[str, list[str]] = {}
        for error in exc.errors():
            loc = [str(p) for p in error["loc"]]
            # Union members ("int", "float") are not places: keep the path to the value.
            path = ".".join(p for p in loc if p not in ("int", "float", "str", "bool"))
            grouped.setdefault(path, []).append(_describe(error))
        return [
            (path.split(".")[0], f"{path}: {' or '.join(dict.fromkeys(msgs))}")
            for path, msgs in grouped.items()
        ]
    return []


def _describe(error: Any) -> str:
    if error["type"] == "literal_error":
        allowed = error.get("ctx", {}).get("expected", "")
        return f"{error['input']!r} is not allowed; expected one of {allowed}"
    return f"{error['msg'].lower()} (got {error.get('input')!r})"


def fractional(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Durations given with a fraction (Didomi counts whole months, days or seconds)."""
    problems = []
    for name in INTEGRAL:
        value = values.get(name)
        if isinstance(value, float) and not value.is_integer():
            unit = values.get(f"{name}_unit") or "units"
            problems.append(
                (
                    name,
                    f"{name}: must be a whole number of {unit}, got {value!r}; use a "
                    "smaller unit (days or seconds) for a fraction",
                )
            )
    items = values.get(REGULATIONS)
    for index, item in enumerate(items if isinstance(items, list) else []):
        if isinstance(item, Mapping):
            problems += [
                (REGULATIONS, f"{REGULATIONS}[{index}].{reason}")
                for _, reason in fractional({k: v for k, v in item.items() if k != REGULATIONS})
            ]
    return problems


# -- generating field_types.py (`make sdk`) -------------------------------------------------------


def _kind(annotation: Any, whole: bool, name: str) -> tuple[str, str | None, tuple[str, ...]]:
    """Schema type, item type and allowed values of a model field's annotation."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
        return _kind(args[0], whole, name)
    if typing.get_origin(annotation) is Literal:
        return "string", None, tuple(str(a) for a in typing.get_args(annotation))
    if annotation is bool:
        return "boolean", None, ()
    if annotation is str:
        return "string", None, ()
    if set(args) == {int, float} or annotation in (int, float):
        return ("integer" if whole else "number"), None, ()
    if typing.get_origin(annotation) is dict:
        return "object", None, ()
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation)
        if item is str:
            return "array", "string", ()
        return "array", f"#/types/{REGULATION_TYPE}", ()
    raise TypeError(f"no schema type for {name}: {annotation!r}")


_BOUNDS = ("gt", "ge", "lt", "le", "min_length", "max_length")


def _limits(info: FieldInfo) -> dict[str, Any]:
    bounds = ((b, getattr(m, b, None)) for m in info.metadata for b in _BOUNDS)
    return {b: v for b, v in bounds if v is not None}


def _row(name: str, info: FieldInfo) -> FieldType:
    from pulumi_didomi.client.config_fields import WholeUnits

    whole = any(isinstance(m, WholeUnits) for m in info.metadata)
    return (name, *_kind(info.annotation, whole, name))


def field_table_from_models() -> dict[str, Any]:
    """What `field_types.py` holds, read from the client's models: the rows of the shared
    settings and of each model's own fields (a table lists its own fields first: a regulation
    item reads `regulation_id` first, a configuration `platform`), every field's meaning and
    bounds, and the keys of a regulation configuration that Didomi sets."""
    from pulumi_didomi.client import config_fields as table

    shared = table.SharedSettings.model_fields
    own = {
        "NOTICE_CONFIG_OWN": table.NoticeConfigFields.model_fields,
        "REGULATION_CONFIG_OWN": table.RegulationConfigFields.model_fields,
    }
    parts = {k: {n: f for n, f in v.items() if n not in shared} for k, v in own.items()}
    parts["SHARED_SETTINGS"] = shared
    every = {n: f for fields in parts.values() for n, f in fields.items()}
    if undescribed := [n for n, f in every.items() if not f.description]:
        raise TypeError(f"no description in the models for {', '.join(undescribed)}")
    return {
        **{k: tuple(_row(n, f) for n, f in fields.items()) for k, fields in parts.items()},
        "FIELD_DOCS": {n: f.description or "" for n, f in every.items()},
        "FIELD_LIMITS": {n: limits for n, f in every.items() if (limits := _limits(f))},
        "READ_ONLY_REGULATION_KEYS": table.READ_ONLY_REGULATION_KEYS,
        "ENUM_NAMES": {
            typing.get_args(alias): name
            for name, alias in vars(table).items()
            if typing.get_origin(alias) is Literal
        },
    }


def field_types_from_models() -> tuple[FieldType, ...]:
    """`(name, type, item type, allowed values)` of every writable configuration field, in
    the table's order: what `field_types.CONFIG_FIELD_TYPES` holds."""
    table = field_table_from_models()
    return tuple(table["NOTICE_CONFIG_OWN"] + table["SHARED_SETTINGS"])


def field_types_text() -> str:
    """The source of `field_types.py`, generated from the models (`make sdk`)."""
    table = field_table_from_models()

    def rows(name: str) -> str:
        return "".join(f"    {row!r},\n" for row in table[name])

    read_only = ", ".join(repr(k) for k in sorted(table["READ_ONLY_REGULATION_KEYS"]))
    return (
        "# ruff: noqa: E501 (Didomi's own sentences, kept whole)\n"
        '"""The notice-configuration field table as plain data, generated by `make sdk` from the\n'
        "client's models (`pulumi_didomi.client.config_fields`), so that a Pulumi program and a\n"
        "no-op preview read it without pydantic (do not edit: tests/core/test_fields.py fails\n"
        'when it differs from the models)."""\n\n'
        "#: `(name, schema type, item type, allowed values)` of a field.\n"
        'FieldType = tuple[str, str, "str | None", tuple[str, ...]]\n\n'
        "#: The fields a configuration and its regulation configurations share.\n"
        f"SHARED_SETTINGS: tuple[FieldType, ...] = (\n{rows('SHARED_SETTINGS')})\n"
        "#: A notice configuration's own fields.\n"
        f"NOTICE_CONFIG_OWN: tuple[FieldType, ...] = (\n{rows('NOTICE_CONFIG_OWN')})\n"
        "#: A regulation configuration's own keys.\n"
        f"REGULATION_CONFIG_OWN: tuple[FieldType, ...] = (\n{rows('REGULATION_CONFIG_OWN')})\n"
        "#: Every writable field of a notice configuration.\n"
        "CONFIG_FIELD_TYPES = NOTICE_CONFIG_OWN + SHARED_SETTINGS\n"
        "#: Every key a program may set in a regulation configuration.\n"
        "REGULATION_KEY_TYPES = REGULATION_CONFIG_OWN + SHARED_SETTINGS\n"
        "#: What each field means (Didomi's sentence where its OpenAPI document has one).\n"
        f"FIELD_DOCS: dict[str, str] = {table['FIELD_DOCS']!r}\n"
        "#: The bounds of numbers (`gt`, `ge`) and lengths of strings.\n"
        f"FIELD_LIMITS: dict[str, dict[str, int]] = {table['FIELD_LIMITS']!r}\n"
        "#: The keys of a regulation configuration that Didomi sets (never written by a program).\n"
        f"READ_ONLY_REGULATION_KEYS: frozenset[str] = frozenset({{{read_only}}})\n"
        "#: The names of the allowed-value sets (the schema's enum types).\n"
        f"ENUM_NAMES: dict[tuple[str, ...], str] = {table['ENUM_NAMES']!r}\n"
    )


def managed_values(props: Mapping[str, Any]) -> dict[str, Any]:
    """The configuration fields a program manages, normalized."""
    names = props.get("managed_fields") or [k for k in props if k in CONFIG_NAMES]
    return {name: normalize(props[name]) for name in names if name in props}
