"""Filling a program's schema without an LLM: what every offline agent does with a JSON Schema.

Strings get the text (a date-named one the date, when there is one), lists get the given items, numbers 0,
booleans False, objects {}. Deterministic, so an offline score depends on the memory alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

DATE_FIELD = re.compile(r"date|time|when|day", re.IGNORECASE)
"""Field names that ask for a date rather than the text."""


def fill_schema(schema: dict[str, Any], text: str, date: str, items: Sequence[str]) -> dict[str, Any]:
    """A JSON object for `schema` (a JSON Schema object) filled by field type and name."""
    filled: dict[str, Any] = {}
    for name, prop in schema.get("properties", {}).items():
        kind = json_kind(prop)
        if kind == "string":
            filled[name] = date if DATE_FIELD.search(name) and date else text
        elif kind == "array":
            filled[name] = list(items)
        elif kind in ("integer", "number"):
            filled[name] = 0
        elif kind == "boolean":
            filled[name] = False
        elif kind == "object":
            filled[name] = {}
        else:
            filled[name] = text
    return filled


def json_kind(prop: dict[str, Any]) -> str:
    """The JSON type of a property; for `anyOf` with null (Optional fields), the non-null type."""
    if "type" in prop:
        return str(prop["type"])
    for option in prop.get("anyOf", []):
        if option.get("type") != "null":
            return json_kind(option)
    return "string"
