"""JSON schemas of a program's dataclasses, and instances of them built from what an agent filled in.

An agent sees `KnowledgeItem` and `Query` as JSON Schemas (field types, descriptions, which fields are
required) and answers with JSON; a program must still receive well-typed dataclass instances. This module
does both directions. It runs inside the sandbox too (and in exported packages), so it uses the standard
library only.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import types
import typing
from collections.abc import Callable
from typing import Any


class SchemaError(ValueError):
    """A dataclass whose fields JSON cannot describe (the contract reports it as a `ContractError`)."""


def dataclass_json_schema(cls: type, warnings: list[str] | None = None) -> dict[str, Any]:
    """The JSON Schema an agent fills for `cls`: field types, descriptions, and which fields are required."""
    hints = _type_hints(cls)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for spec in dataclasses.fields(cls):
        if not spec.init:
            continue
        try:
            prop = _json_type(hints.get(spec.name, str))
        except TypeError as error:
            raise SchemaError(
                f"field {cls.__name__}.{spec.name} has type {error}, which JSON cannot carry; "
                "use str, int, float, bool, list[...], dict or Optional[...]"
            ) from None
        description = spec.metadata.get("description") if spec.metadata else None
        if description:
            prop["description"] = str(description)
        elif warnings is not None:
            warnings.append(f'{cls.__name__}.{spec.name} has no metadata={{"description": ...}}')
        properties[spec.name] = prop
        if spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING:
            required.append(spec.name)
    schema: dict[str, Any] = {"title": cls.__name__, "type": "object", "properties": properties}
    if cls.__doc__ and not cls.__doc__.startswith(f"{cls.__name__}("):
        schema["description"] = cls.__doc__.strip()
    schema["required"] = required
    return schema


def instantiate(cls: type, data: dict[str, Any]) -> Any:
    """Build `cls` from agent-filled JSON: coerce values to the declared types, fill what is missing.

    Agents (LLMs above all) omit fields and mix types; a program must still receive a well-typed
    instance, so missing fields take their default or the type's empty value, and extra keys are dropped.
    """
    if not isinstance(data, dict):
        raise TypeError(f"{cls.__name__} must be built from a JSON object, not {type(data).__name__}")
    hints = _type_hints(cls)
    values = {}
    for spec in dataclasses.fields(cls):
        if not spec.init:
            continue
        hint = hints.get(spec.name, str)
        if spec.name in data:
            values[spec.name] = _coerce(data[spec.name], hint)
        elif spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING:
            values[spec.name] = _empty_value(hint)
    return cls(**values)


def _type_hints(cls: type) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls)
    except Exception as error:
        raise SchemaError(f"the annotations of {cls.__name__} cannot be resolved: {error}") from None


def _json_type(hint: Any) -> dict[str, Any]:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if hint is Any:
        return {}
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        inner = _json_type(options[0]) if len(options) == 1 else {"anyOf": [_json_type(a) for a in options]}
        return {"anyOf": [inner, {"type": "null"}]} if type(None) in args else inner
    if hint in _SCALARS:
        return {"type": _SCALARS[hint]}
    if hint in (list, tuple, set) or origin in (list, tuple, set):
        return {"type": "array", "items": _json_type(args[0]) if args else {}}
    if hint is dict or origin is dict:
        return {"type": "object"}
    raise TypeError(getattr(hint, "__name__", str(hint)))


_SCALARS: dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}


def _coerce(value: Any, hint: Any) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        options = [a for a in args if a is not type(None)]
        return _coerce(value, options[0]) if len(options) == 1 else value
    if hint in (list, tuple, set) or origin in (list, tuple, set):
        items = value if isinstance(value, list | tuple | set) else ([] if value in (None, "") else [value])
        coerced = [_coerce(v, args[0]) for v in items] if args else list(items)
        return (origin or hint)(coerced) if (origin or hint) is not list else coerced
    converters: dict[Any, Callable[[Any], Any]] = {
        str: lambda v: "" if v is None else v if isinstance(v, str) else _to_text(v),
        int: _to_int,
        float: _to_float,
        bool: _to_bool,
    }
    if hint in converters:
        return converters[hint](value)
    return value


def _to_text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_to_text(v) for v in value)
    try:
        return str(value)
    except ValueError:  # an integer past Python's digit limit for str()
        return ""


def _to_int(value: Any) -> int:
    """An integer, or 0 for what has none: text, None, and infinities and NaN (which `int` refuses)."""
    if isinstance(value, int):
        return int(value)  # exact, however large (a float would round it or overflow)
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return int(value.strip())
    return int(_to_float(value))


def _to_float(value: Any) -> float:
    """A finite float, or 0.0: "inf", "nan" and numbers beyond a float's range carry no usable value."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return 0.0
    return number if math.isfinite(number) else 0.0


def _to_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "yes", "1", "y"}
    return bool(value)


def _empty_value(hint: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return None
    if hint in (list, tuple, set) or origin in (list, tuple, set):
        return (origin or hint)()
    return {str: "", int: 0, float: 0.0, bool: False, dict: {}}.get(origin or hint)
