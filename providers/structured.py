"""Getting a JSON object that fits a schema out of a model, whether or not the provider enforces schemas.

The schema always goes into the prompt, and natively (structured output) where the provider supports
it. Either way the answer is parsed leniently (code fences and prose around the object are tolerated)
and validated against the schema. An invalid answer gets exactly one repair turn: the model sees its
answer and the list of problems. One, because a model that fails twice on the same schema rarely
succeeds a third time, and every turn costs money.

The validator covers what memory programs' dataclass schemas use (type, properties, required, items,
anyOf, enum, additionalProperties), so no JSON Schema library is needed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from providers.accounting import Purpose
from providers.llm import Completion, LLMClient
from providers.transport import Message

MAX_REPORTED_ERRORS = 8
_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)


@dataclass
class StructuredAnswer:
    """The outcome of `complete_json`. `value` is the last parsed object even when `valid` is False
    (callers may coerce a near miss); it is None only when no JSON object could be read at all."""

    value: dict[str, Any] | None
    valid: bool
    repaired: bool
    errors: list[str] = field(default_factory=list)
    completions: list[Completion] = field(default_factory=list)


def complete_json(
    client: LLMClient,
    prompt: str | Sequence[Message | dict[str, str]],
    schema: dict[str, Any],
    *,
    system: str | None = None,
    max_tokens: int = 1024,
    purpose: Purpose = "agent",
) -> StructuredAnswer:
    """Ask for a JSON object matching `schema`, validate it, and repair it once if needed.

    `prompt` should already show the schema to the model (a provider without native structured
    output only sees the prompt). Provider errors (budget, auth, outages) propagate unchanged.
    """
    messages = [Message("user", prompt)] if isinstance(prompt, str) else list(prompt)
    first = client.complete(
        messages, system=system, max_tokens=max_tokens, json_schema=schema, purpose=purpose
    )
    value, errors = parse_and_validate(first.text, schema)
    if not errors:
        return StructuredAnswer(value, True, False, [], [first])
    repair = [
        *messages,
        Message("assistant", first.text),
        Message("user", repair_prompt(errors, schema)),
    ]
    second = client.complete(
        repair, system=system, max_tokens=max_tokens, json_schema=schema, purpose=purpose
    )
    repaired_value, repaired_errors = parse_and_validate(second.text, schema)
    if not repaired_errors:
        return StructuredAnswer(repaired_value, True, True, [], [first, second])
    best = repaired_value if repaired_value is not None else value
    return StructuredAnswer(best, False, True, repaired_errors, [first, second])


def repair_prompt(errors: list[str], schema: dict[str, Any]) -> str:
    listed = "\n".join(f"- {error}" for error in errors[:MAX_REPORTED_ERRORS])
    return (
        "Your answer is not a valid JSON object for the schema:\n"
        f"{listed}\n\n"
        f"The schema:\n{json.dumps(schema, indent=2)}\n\n"
        "Reply with the corrected JSON object only, no explanation."
    )


def parse_and_validate(text: str, schema: dict[str, Any]) -> tuple[dict[str, Any] | None, list[str]]:
    """The JSON object in `text` and the schema violations found in it (empty when valid)."""
    try:
        value = extract_json_object(text)
    except ValueError as error:
        return None, [str(error)]
    return value, schema_errors(value, schema)


def extract_json_object(text: str) -> dict[str, Any]:
    """The first JSON object in `text`: the whole text, a fenced block, or the first `{...}` that parses."""
    candidates = [text.strip()]
    candidates.extend(match.strip() for match in _FENCE.findall(text))
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
    decoder = json.JSONDecoder()
    for start in (index for index, char in enumerate(text) if char == "{"):
        try:
            value, _ = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
    if not text.strip():
        raise ValueError("the answer was empty; a JSON object was expected")
    raise ValueError("the answer holds no JSON object (it must start with '{' and be valid JSON)")


_TYPE_CHECKS = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer())
    ),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
}


def schema_errors(value: Any, schema: dict[str, Any], path: str = "$") -> list[str]:
    """Violations of `schema` by `value`, each naming where (`$.field[0]`) and what was expected."""
    if not schema:
        return []
    for keyword in ("anyOf", "oneOf"):
        if keyword in schema:
            branches = [schema_errors(value, branch, path) for branch in schema[keyword]]
            if not any(not errors for errors in branches):
                return [f"{path} matches none of the allowed forms ({_describe(schema[keyword])})"]
    errors: list[str] = []
    expected = schema.get("type")
    if expected is not None:
        types = expected if isinstance(expected, list) else [expected]
        if not any(_TYPE_CHECKS.get(t, lambda _v: True)(value) for t in types):
            return [f"{path} must be {' or '.join(types)}, not {_json_name(value)}"]
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path} must be one of {schema['enum']}")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                errors.append(f"{path} is missing the required field {name!r}")
        for name, item in value.items():
            if name in properties:
                errors.extend(schema_errors(item, properties[name], f"{path}.{name}"))
            elif schema.get("additionalProperties") is False:
                errors.append(f"{path} has a field {name!r} that the schema does not define")
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            errors.extend(schema_errors(item, schema["items"], f"{path}[{index}]"))
    return errors


def _describe(branches: list[dict[str, Any]]) -> str:
    return ", ".join(str(branch.get("type", "any")) for branch in branches)


def _json_name(value: Any) -> str:
    for name in ("null", "boolean", "integer", "number", "string", "array", "object"):
        if _TYPE_CHECKS[name](value):
            return name
    return type(value).__name__
