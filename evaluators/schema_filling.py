"""Filling a program's schema: by a model from one prompt, or without a model by field type and name.

With a model, every domain's LLM agent asks the same way (`fill_with_model`): the program's instruction,
what to remember or ask about, and the schema, in the prompt and natively where the provider enforces
schemas; a wrong answer is repaired once (`providers.structured.complete_json`), and still wrong is None,
for the agent to fall back to the deterministic fill.

Without a model (`fill_schema`): strings get the text (a date-named one the date, when there is one), lists
get the given items, numbers 0, booleans False, objects {}. Deterministic, so an offline score depends on
the memory alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

DATE_FIELD = re.compile(r"date|time|when|day", re.IGNORECASE)
"""Field names that ask for a date rather than the text."""


@dataclass(frozen=True)
class ModelFill:
    """What a model made of a schema: the object (None when it is still wrong after the repair), and the
    calls it took and whether one was a repair, for the agent's counts."""

    value: dict[str, Any] | None
    calls: int
    repaired: bool


def schema_prompt(instruction: str, subject: str, class_name: str, schema: dict[str, Any]) -> str:
    """The prompt a model fills a schema from: the program's instruction, the subject, the schema."""
    return (
        f"{instruction.strip()}\n\n"
        f"{subject}\n\n"
        f"The {class_name} must be a JSON object matching this JSON Schema:\n"
        f"{json.dumps(schema, indent=2, ensure_ascii=False)}\n\n"
        "Reply with the JSON object only."
    )


def fill_with_model(
    client: Any, prompt: str, schema: dict[str, Any], system: str | None, max_tokens: int
) -> ModelFill:
    """`client` (a providers `LLMClient`, or anything with its `complete`) fills `schema` from `prompt`
    (made by `schema_prompt`), its calls accounted as the agent's. Provider errors propagate."""
    from providers.structured import complete_json  # the providers layer loads SDKs: only when used

    answer = complete_json(client, prompt, schema, system=system, max_tokens=max_tokens, purpose="agent")
    return ModelFill(answer.value if answer.valid else None, len(answer.completions), answer.repaired)


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
