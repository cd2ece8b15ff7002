"""Code as values: literals and calls laid out within a line width, in Python (as `ruff format`
lays them out) and in TypeScript (Prettier's style: 4 spaces, trailing commas, the last object
argument hugged).

A node is an `Atom` (a finished expression), a `Seq` (a call or a collection: opening text,
items, closing text) or a JSON value, turned into nodes by `py_value` / `ts_value`.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

#: `ruff format`'s default line width, and the width of the TypeScript programs.
PY_WIDTH = 88
TS_WIDTH = 100


@dataclass(frozen=True)
class Atom:
    """An expression laid out as it is."""

    text: str


@dataclass(frozen=True)
class Item:
    """One element of a `Seq`: `prefix` (`name=`, `"key": `) then a node."""

    prefix: str
    value: Node


@dataclass(frozen=True)
class Seq:
    """A call (`kind="call"`) or a collection literal between `open` and `close`."""

    open: str
    close: str
    items: tuple[Item, ...]
    kind: Literal["call", "collection"] = "collection"
    #: TypeScript's flat form has spaces inside braces: `{ a: 1 }`.
    padded: bool = False


Node = Atom | Seq


# -- literals -------------------------------------------------------------------------------------


def py_str(text: str) -> str:
    """A Python string literal as `ruff format` writes it: double quotes unless that needs
    more escapes than single quotes."""
    quote = "'" if text.count('"') > text.count("'") else '"'
    out = []
    for char in text:
        if char == "\\" or char == quote:
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif ord(char) < 0x20 or ord(char) == 0x7F or 0xD800 <= ord(char) <= 0xDFFF:
            out.append(f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return quote + "".join(out) + quote


def ts_str(text: str) -> str:
    """A TypeScript string literal, quoted as Prettier quotes it (the same rule as `py_str`,
    whose escapes JavaScript reads alike)."""
    return py_str(text)


def _number(value: int | float) -> str:
    """`repr`, with `1e16` for `1e+16` (as `ruff format` writes it)."""
    return repr(value).replace("e+", "e")


def py_value(value: Any) -> Node:
    """A JSON value as Python literals (keys in the given order); nodes in it (a reference to
    another resource's output) are kept."""
    if isinstance(value, (Atom, Seq)):
        return value
    if value is None or isinstance(value, bool):
        return Atom(repr(value))
    if isinstance(value, (int, float)):
        return Atom(_number(value))
    if isinstance(value, str):
        return Atom(py_str(value))
    if isinstance(value, Mapping):
        items = tuple(Item(f"{py_str(str(k))}: ", py_value(v)) for k, v in value.items())
        return Seq("{", "}", items)
    if isinstance(value, (list, tuple)):
        return Seq("[", "]", tuple(Item("", py_value(v)) for v in value))
    raise TypeError(f"not a JSON value: {value!r}")


_TS_IDENT = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


def ts_key(key: str) -> str:
    """An object key: bare when it is an identifier, else quoted."""
    return key if _TS_IDENT.match(key) else ts_str(key)


def ts_value(value: Any) -> Node:
    """A JSON value as TypeScript literals (keys in the given order); nodes in it are kept."""
    if isinstance(value, (Atom, Seq)):
        return value
    if value is None:
        return Atom("null")
    if isinstance(value, bool):
        return Atom("true" if value else "false")
    if isinstance(value, (int, float)):
        return Atom(_number(value))
    if isinstance(value, str):
        return Atom(ts_str(value))
    if isinstance(value, Mapping):
        items = tuple(Item(f"{ts_key(str(k))}: ", ts_value(v)) for k, v in value.items())
        return Seq("{", "}", items, padded=True)
    if isinstance(value, (list, tuple)):
        return Seq("[", "]", tuple(Item("", ts_value(v)) for v in value))
    raise TypeError(f"not a JSON value: {value!r}")


def ts_object(items: Mapping[str, Node]) -> Seq:
    """A TypeScript object literal of nodes."""
    return Seq("{", "}", tuple(Item(f"{ts_key(k)}: ", v) for k, v in items.items()), padded=True)


def py_list(nodes: list[Node]) -> Seq:
    """A Python list of nodes."""
    return Seq("[", "]", tuple(Item("", n) for n in nodes))


def call(func: str, items: list[Item]) -> Seq:
    """`func(items...)`."""
    return Seq(f"{func}(", ")", tuple(items), kind="call")


# -- identifiers -------------------------------------------------------------------------------

_JS_WORDS = """
break case catch class const continue debugger default delete do else enum export extends false
finally for function if implements import in instanceof interface let new null package private
protected public return static super switch this throw true try typeof var void while with yield
await arguments eval undefined
"""
_JS_RESERVED = frozenset(_JS_WORDS.split())


def is_py_name(name: str) -> bool:
    """A usable Python variable name."""
    return name.isidentifier() and not keyword.iskeyword(name) and not keyword.issoftkeyword(name)


def is_ts_name(name: str) -> bool:
    """A usable TypeScript variable name."""
    return bool(_TS_IDENT.match(name)) and name not in _JS_RESERVED


# -- layout ------------------------------------------------------------------------------------


def flat(node: Node) -> str:
    """The node on one line."""
    if isinstance(node, Atom):
        return node.text
    inner = ", ".join(i.prefix + flat(i.value) for i in node.items)
    if node.padded and inner:
        return f"{node.open} {inner} {node.close}"
    return node.open + inner + node.close


def py_lines(
    node: Node, indent: int = 0, prefix: str = "", suffix: str = "", width: int = PY_WIDTH
) -> list[str]:
    """`prefix + node + suffix` at `indent`, split as `ruff format` splits it: a call's
    arguments on one indented line when they fit there, else one per line with a trailing
    comma; a collection of several items always one per line."""
    pad = " " * indent
    one_line = pad + prefix + flat(node) + suffix
    if len(one_line) <= width or isinstance(node, Atom) or not node.items:
        return [one_line]
    head, tail = pad + prefix + node.open, pad + node.close + suffix
    inner = indent + 4
    single = len(node.items) == 1
    if node.kind == "call" or single:
        body = " " * inner + ", ".join(i.prefix + flat(i.value) for i in node.items)
        if len(body) <= width:
            return [head, body, tail]
    if single:
        (item,) = node.items
        return [head, *py_lines(item.value, inner, item.prefix, "", width), tail]
    lines = [head]
    for item in node.items:
        lines += py_lines(item.value, inner, item.prefix, ",", width)
    return [*lines, tail]


def ts_lines(
    node: Node, indent: int = 0, prefix: str = "", suffix: str = "", width: int = TS_WIDTH
) -> list[str]:
    """`prefix + node + suffix` at `indent` in Prettier's style: one line when it fits; a call
    whose last argument is an object or array hugs it (`f("a", {` ... `});`); anything else one
    item per line with trailing commas."""
    pad = " " * indent
    one_line = pad + prefix + flat(node) + suffix
    if len(one_line) <= width or isinstance(node, Atom) or not node.items:
        return [one_line]
    inner = indent + 4
    last = node.items[-1].value
    if node.kind == "call" and isinstance(last, Seq) and last.kind == "collection" and last.items:
        before = "".join(i.prefix + flat(i.value) + ", " for i in node.items[:-1])
        head = pad + prefix + node.open + before + node.items[-1].prefix + last.open
        if len(head) <= width:
            lines = [head]
            for item in last.items:
                lines += ts_lines(item.value, inner, item.prefix, ",", width)
            return [*lines, pad + last.close + node.close + suffix]
    lines = [pad + prefix + node.open]
    for item in node.items:
        lines += ts_lines(item.value, inner, item.prefix, ",", width)
    return [*lines, pad + node.close + suffix]
