"""400 messages a developer can act on: what is wrong, and where, in a line.

jsonschema's own text names the validator's internals ("... is not valid under any of the
given schemas", "Failed validating 'minimum' in schema: {...}") and repeats the whole
invalid value, however large. Here an `anyOf`/`oneOf` failure names what is missing for the
forms the body comes closest to, and a value is quoted at most MAX_QUOTED characters long.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from jsonschema import ValidationError

MAX_QUOTED = 60


def quoted(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= MAX_QUOTED else text[: MAX_QUOTED - 3] + "..."


def where(error: ValidationError, prefix: str) -> str:
    """`body.to.destination`, or the parameter's name."""
    return ".".join([prefix, *(str(part) for part in error.absolute_path)])


def what_form(schema: dict[str, Any]) -> str:
    """A branch of a body's anyOf/oneOf as a reader knows it: its description's first
    sentence ("Transfer the call from the `from` party to the `to` party")."""
    description = str(schema.get("description", "")).strip()
    return description.split(". ")[0].rstrip(".").replace("`", "") or "another form"


def explain(error: ValidationError, prefix: str = "body") -> str:
    """One line saying what is wrong with a value, and where."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        return closest_forms(error, prefix)
    at = where(error, prefix)
    rule = error.validator_value
    if error.validator == "required":
        missing = [name for name in rule if name not in (error.instance or {})]
        return f"{at}: {', '.join(repr(name) for name in missing)} is missing"
    if error.validator == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        extra = sorted(str(key) for key in error.instance if key not in allowed)
        return f"{at}: {', '.join(quoted(key) for key in extra)} is not allowed here"
    if error.validator == "enum":
        return f"{at}: must be one of {', '.join(map(repr, rule))}, not {quoted(error.instance)}"
    if error.validator == "type":
        kind = (
            (f"an {rule}" if rule[0] in "aeiou" else f"a {rule}")
            if isinstance(rule, str)
            else " or ".join(rule)
        )
        return f"{at}: must be {kind}, not {quoted(error.instance)}"
    if error.validator in ("minimum", "maximum", "minLength", "maxLength", "pattern"):
        return f"{at}: {quoted(error.instance)} breaks {error.validator} {rule!r}"
    if error.validator == "oneOf":
        return f"{at}: {quoted(error.instance)} matches more than one form; send exactly one"
    return f"{at}: {quoted(error.instance)} is not valid ({error.validator})"


def closest_forms(error: ValidationError, prefix: str) -> str:
    """For a value that matches none of several forms: what each of the closest forms (those
    with the fewest problems) lacks."""
    problems: dict[int, list[ValidationError]] = defaultdict(list)
    for sub in error.context or []:
        problems[int(sub.relative_schema_path[0])].append(sub)
    branches = error.validator_value
    fewest = min(len(found) for found in problems.values())
    closest = [index for index, found in sorted(problems.items()) if len(found) == fewest]
    hints = [
        f"{'; '.join(explain(sub, prefix) for sub in problems[index])}"
        f" (to {what_form(branches[index])[0].lower()}{what_form(branches[index])[1:]})"
        for index in closest
    ]
    return " or ".join(hints)
