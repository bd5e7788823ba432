"""What traffic showed about the API's form, without its data (`--evidence PATH`): per
operation, the status codes and content types answered, each answer's top-level shape, and
each field path seen with the encodings of its values. No value, id, number or name from the
traffic is kept: a key neither openapi.yaml nor vis.yaml names anywhere (a map's id, an
unknown field) is written as `(key)`, and a value only as its encoding (README: "Evidence")."""

from __future__ import annotations

import json
import re
import threading
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from vbc_conformance.drift import media_type_of

FORMAT = "vbc-conformance-evidence/1"
ISO_8601 = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?")
#: Epoch timestamps by magnitude (2001 to 2286 in each unit).
EPOCHS = (
    (10**9, 10**10, "epoch-seconds"),
    (10**12, 10**13, "epoch-ms"),
    (10**15, 10**16, "epoch-us"),
)


def property_names(node: Any) -> set[str]:
    """Every property name a document declares anywhere."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                found.update(value)
            found |= property_names(value)
    elif isinstance(node, list):
        for item in node:
            found |= property_names(item)
    return found


def encoding(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        for low, high, name in EPOCHS:
            if low <= abs(value) < high:
                return name
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        if ISO_8601.fullmatch(value):
            return "iso-8601 string"
        if value.isascii() and value.isdigit() and len(value) <= 20:
            as_integer = encoding(int(value))
            return f"{as_integer} string" if as_integer != "integer" else "digit string"
        return "empty string" if not value else "string"
    return "array" if isinstance(value, list) else "object"


class Evidence:
    def __init__(self, documents: Iterable[dict[str, Any]]) -> None:
        """`documents`: the specs judged against, whose property names may be written."""
        self.known = set().union(*map(property_names, documents))
        self.operations: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        self._lock = threading.Lock()

    def add(self, operation: str, status: int, content_type: str | None, body: Any) -> None:
        with self._lock:
            answer = self.operations[operation].setdefault(
                str(status), {"content_types": set(), "shapes": set(), "fields": defaultdict(set)}
            )
            media_type = media_type_of(content_type)
            answer["content_types"].add(
                media_type if re.fullmatch(r"[\w.+-]+/[\w.+-]+", media_type) else "(other)"
            )
            answer["shapes"].add("none" if body is None else encoding(body))
            self.walk(body, "$", answer["fields"])

    def walk(self, value: Any, where: str, fields: dict[str, set[str]]) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                name = key if key in self.known else "(key)"
                path = f"{where}.{name}"
                fields[path].add(encoding(item))
                self.walk(item, path, fields)
        elif isinstance(value, list):
            for item in value:
                fields[f"{where}[]"].add(encoding(item))
                self.walk(item, f"{where}[]", fields)

    def write(self, path: Path) -> None:
        data = {
            "format": FORMAT,
            "operations": {
                operation: {
                    status: {
                        "content_types": sorted(answer["content_types"]),
                        "shapes": sorted(answer["shapes"]),
                        "fields": {k: sorted(v) for k, v in sorted(answer["fields"].items())},
                    }
                    for status, answer in sorted(answers.items())
                }
                for operation, answers in sorted(self.operations.items())
            },
        }
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
