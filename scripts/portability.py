"""Do openapi.yaml and vis.yaml work in the generators other-language users run? Generates a
client with openapi-generator (python, typescript-fetch) and pydantic models with
datamodel-code-generator from each, then parses every documented and observed example of the
spec with each (vis.yaml's deliveries too, as a receiver would), and writes each parsed value
back out: it must say what the example said.

Run by `make portability`; prints one line per generator and example, exits 1 on any miss.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import yaml

import vbc_spec as spec

ROOT = Path(__file__).resolve().parents[1]
SPECS = (ROOT / "openapi.yaml", ROOT / "vis.yaml")
BIN = Path(sys.executable).parent
TSC = ROOT / "node_modules" / ".bin" / "tsc"


# ---------------------------------------------------------------- what to parse


Case = tuple[str, str, bool, Any, "str | None"]


def examples(document: dict[str, Any]) -> Iterator[Case]:
    """(label, schema name, is a list of it, example value, the oneOf form it is) for every
    JSON example of a request body or a successful response. Requests are built and sent by
    clients, responses parsed by them, and each is checked that way."""

    def resolve(node: dict[str, Any]) -> Any:
        return spec.resolve(document, node)

    for operation, callback in operations(document):
        bodies = []
        if "requestBody" in operation:
            # A callback's body (a delivery) is parsed by its receiver, as a response is.
            where = "delivery" if callback else "request"
            bodies.append((where, resolve(operation["requestBody"])))
        bodies += [
            (status, resolve(response))
            for status, response in operation["responses"].items()
            if status.startswith("2")
        ]
        for where, body in bodies:
            media = body.get("content", {}).get("application/json")
            if not media or "examples" not in media:
                continue
            schema, many = media["schema"], False
            if schema.get("type") == "array":
                schema, many = schema["items"], True
            if resolve(schema).get("type") == "string":
                continue  # a bare string (the created call's id): nothing to model
            name = schema["$ref"].rsplit("/", 1)[-1]
            union = resolve(schema)
            forms = union.get("oneOf") or union.get("anyOf") or []
            for key, example in media["examples"].items():
                label = f"{operation['operationId']} {where} {key}"
                value = resolve(example)["value"]
                form = next(
                    (
                        branch["$ref"].rsplit("/", 1)[-1]
                        for branch in forms
                        if valid({**branch, "components": document["components"]}, value)
                    ),
                    None,
                )
                yield label, name, many, value, form if where == "request" else None


def operations(document: dict[str, Any]) -> Iterator[tuple[dict[str, Any], bool]]:
    """Each operation, and whether it is a callback's (one the API sends, such as a delivery)."""
    for item in document["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            yield operation, False
            for callback in operation.get("callbacks", {}).values():
                for callback_item in callback.values():
                    for sent in callback_item.values():
                        if isinstance(sent, dict) and "operationId" in sent:
                            yield sent, True


def valid(schema: dict[str, Any], value: Any) -> bool:
    return bool(jsonschema.Draft4Validator(schema).is_valid(value))


def says_the_same(sent: Any, parsed: Any) -> bool:
    """Whether `parsed` carries everything `sent` did (a generator may leave out nulls)."""
    if isinstance(sent, dict):
        return isinstance(parsed, dict) and all(
            (value is None and parsed.get(key) is None)
            or (key in parsed and says_the_same(value, parsed[key]))
            for key, value in sent.items()
        )
    if isinstance(sent, list):
        return (
            isinstance(parsed, list)
            and len(sent) == len(parsed)
            and all(says_the_same(a, b) for a, b in zip(sent, parsed, strict=True))
        )
    return bool(sent == parsed and type(sent) is type(parsed))


# ---------------------------------------------------------------- generators


def run(command: list[str], **options: Any) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False, **options)
    if result.returncode:
        raise SystemExit(f"{command[0]} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")


def generate(out: Path, spec_path: Path) -> None:
    common = ["--global-property", "apiTests=false,modelTests=false,apiDocs=false,modelDocs=false"]
    run(
        [
            str(BIN / "openapi-generator-cli"),
            "generate",
            "-i",
            str(spec_path),
            "-g",
            "python",
            "-o",
            str(out / "py"),
            "--package-name",
            package(out, "vbc_portable"),
            *common,
        ]
    )
    run(
        [
            str(BIN / "openapi-generator-cli"),
            "generate",
            "-i",
            str(spec_path),
            "-g",
            "typescript-fetch",
            "-o",
            str(out / "ts" / "client"),
            *common,
        ]
    )
    run(
        [
            str(BIN / "datamodel-codegen"),
            "--input",
            str(spec_path),
            "--input-file-type",
            "openapi",
            "--output-model-type",
            "pydantic_v2.BaseModel",
            "--output",
            str(out / f"{package(out, 'dm_models')}.py"),
        ]
    )


def package(out: Path, prefix: str) -> str:
    """A module name of its own per spec (`out` is the spec's folder): both are imported into
    this one process."""
    return f"{prefix}_{out.name}"


def class_name(schema: str) -> str:
    return schema  # every generator here keeps a component's name as its class name


def openapi_generator_python(out: Path, cases: list[Case]) -> list[str]:
    sys.path.insert(0, str(out / "py"))
    models = importlib.import_module(package(out, "vbc_portable") + ".models")
    misses = []
    for label, schema, many, value, form in cases:
        model = getattr(models, class_name(schema))
        try:
            items = value if many else [value]
            for item in items:
                if form is not None:  # a request: built from its form, as a client does
                    built = getattr(models, class_name(form)).from_dict(item)
                    parsed = model(actual_instance=built)
                else:
                    parsed = model.from_json(json.dumps(item))
                if parsed is None or not says_the_same(item, json.loads(parsed.to_json())):
                    raise ValueError(f"wrote back {parsed.to_json() if parsed else None}")
        except Exception as error:  # any failure is a miss, reported
            misses.append(f"{label}: {type(error).__name__}: {str(error)[:300]}")
    return misses


def datamodel_code_generator(out: Path, cases: list[Case]) -> list[str]:
    sys.path.insert(0, str(out))
    models = importlib.import_module(package(out, "dm_models"))
    misses = []
    for label, schema, many, value, form in cases:
        model = getattr(models, class_name(form or schema))
        try:
            for item in value if many else [value]:
                parsed = model.model_validate(item)
                written = parsed.model_dump(mode="json", by_alias=True, exclude_unset=True)
                if not says_the_same(item, written):
                    raise ValueError(f"wrote back {written}")
        except Exception as error:
            misses.append(f"{label}: {type(error).__name__}: {str(error)[:300]}")
    return misses


TS_CHECK = """
import * as models from "./client/models";

declare const process: { exitCode: number };
const cases: Array<[string, string, boolean, unknown, string | null]> = CASES;
function same(sent: any, parsed: any): boolean {
  if (sent === null) return parsed === null || parsed === undefined;
  if (Array.isArray(sent)) {
    return Array.isArray(parsed) && sent.length === parsed.length
      && sent.every((v, i) => same(v, parsed[i]));
  }
  if (typeof sent === "object") {
    return typeof parsed === "object" && parsed !== null
      && Object.keys(sent).every((k) => same(sent[k], parsed[k]));
  }
  return sent === parsed;
}
for (const [label, schema, many, value] of cases) {
  const m = models as any;
  try {
    const items = many ? (value as unknown[]) : [value];
    for (const item of items) {
      const parsed = m[`${schema}FromJSON`](item);
      const written = JSON.parse(JSON.stringify(m[`${schema}ToJSON`](parsed)));
      if (!same(item, written)) throw new Error(`wrote back ${JSON.stringify(written)}`);
    }
  } catch (error) {
    console.log(`MISS ${label}: ${error}`);
    process.exitCode = 1;
  }
}
"""


def typescript_fetch(out: Path, cases: list[Case]) -> list[str]:
    ts = out / "ts"
    # Each request example must also type-check as the body type a client would build it as.
    typed = "".join(
        f"export const request{number}: models.{schema} = {json.dumps(to_camel(value))};\n"
        for number, (_, schema, _, value, form) in enumerate(cases)
        if form is not None
    )
    (ts / "check.ts").write_text(
        TS_CHECK.replace("CASES", json.dumps(cases)) + typed, encoding="utf-8"
    )
    (ts / "tsconfig.json").write_text(
        json.dumps(
            {
                "compilerOptions": {
                    "strict": True,
                    "target": "es2020",
                    "module": "commonjs",
                    "lib": ["es2020", "dom"],
                    "outDir": "js",
                    "skipLibCheck": True,
                },
                "files": ["check.ts"],
            }
        ),
        encoding="utf-8",
    )
    compiled = subprocess.run(
        [str(TSC), "-p", str(ts)], capture_output=True, text=True, check=False
    )
    if compiled.returncode:
        return [f"the generated client does not compile: {compiled.stdout[-2000:]}"]
    result = subprocess.run(
        ["node", str(ts / "js" / "check.js")], capture_output=True, text=True, check=False
    )
    return [
        line.removeprefix("MISS ")
        for line in result.stdout.splitlines()
        if line.startswith("MISS ")
    ] or ([f"node failed: {result.stderr[-1000:]}"] if result.returncode else [])


def to_camel(value: Any) -> Any:
    """A JSON value with typescript-fetch's property names (stream_url -> streamUrl)."""
    if isinstance(value, dict):
        return {
            "".join(p.title() if i else p for i, p in enumerate(k.split("_"))): to_camel(v)
            for k, v in value.items()
        }
    return [to_camel(v) for v in value] if isinstance(value, list) else value


def main() -> int:
    failed = 0
    with tempfile.TemporaryDirectory(prefix="vbc-portability-") as scratch:
        os.environ.setdefault("JAVA_TOOL_OPTIONS", "-Xmx512m")
        for spec_path in SPECS:
            cases = list(examples(yaml.safe_load(spec_path.read_text(encoding="utf-8"))))
            out = Path(scratch) / spec_path.stem
            generate(out, spec_path)
            checks = {
                "openapi-generator python": openapi_generator_python,
                "openapi-generator typescript-fetch": typescript_fetch,
                "datamodel-code-generator pydantic v2": datamodel_code_generator,
            }
            for name, check in checks.items():
                misses = check(out, cases)
                failed += len(misses)
                print(
                    f"{spec_path.name}: {name}: {len(cases) - len(misses)} of {len(cases)}"
                    " examples parse and write back"
                )
                for miss in misses:
                    print(f"  MISS {miss}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
