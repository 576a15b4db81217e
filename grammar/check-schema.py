#!/usr/bin/env python3
"""Validate the bundled templates and the documentation examples against template.schema.json.

    python3 grammar/check-schema.py            # from the repository root (or anywhere)
    python3 grammar/check-schema.py FILE...    # only these .flow.yaml / .md files

Checks, for every `templates/**/*.flow.yaml` file:
  * the YAML rules of the format: one document, YAML 1.2 core-schema scalars, no duplicate keys,
    no merge keys `<<`, no tags other than the core ones, nesting depth <= 64, aliases expanding
    to <= 100,000 nodes, file size <= 32 MiB;
  * that PyYAML's YAML 1.1 reading gives the same data (no unquoted yes/no/on/off, no dates,
    no octal look-alikes), so that every YAML tool agrees with flowc;
  * the JSON Schema (draft-07) in grammar/template.schema.json;
  * the `# yaml-language-server: $schema=...` first line points at the schema.

For every fenced block in `docs/*.md`:
  * ```yaml starting with `flowc: 1`: a complete template, checked like a template file;
  * other ```yaml blocks: fragments of a template, checked as well-formed YAML (same YAML rules);
  * ```yaml bad: first line `# expect: FC0xxx`; the block must be well-formed YAML and a complete
    template otherwise. FC0102 blocks must contain a duplicate key, FC0201 and FC0505 blocks must
    be rejected by the schema, and blocks for other codes (names, references) must pass it.

This is not `flowc check`: names, references, expressions and the flow graph are the checker's
business. Exit status: 0 all good, 1 problems found, 2 usage error or missing dependency.
Needs PyYAML and jsonschema (`python3 -c 'import jsonschema, yaml'`).
"""
from __future__ import annotations

import json
import math
import os
import re
import sys

try:
    import jsonschema
    import yaml
except ImportError as e:  # pragma: no cover
    print(f"check-schema: missing Python module: {e.name} (pip install pyyaml jsonschema)", file=sys.stderr)
    sys.exit(2)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SCHEMA_PATH = os.path.join(HERE, "template.schema.json")

MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_DEPTH = 64
ALIAS_BUDGET = 100_000
CORE_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq")}


class YAMLRuleError(Exception):
    """A violation of the format's YAML rules, with a 1-based line when known."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return where + self.args[0]


# ---------------------------------------------------------------------------------------------
# A YAML 1.2 core-schema loader built on PyYAML's safe loader.

class CoreLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core-schema plain-scalar resolution and the format's rules."""

    def construct_mapping(self, node, deep=False):  # noqa: D401 - PyYAML override
        if not isinstance(node, yaml.MappingNode):
            raise YAMLRuleError("expected a mapping", node.start_mark.line + 1)
        seen: dict[object, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:str" and key_node.value == "<<" and key_node.style is None:
                raise YAMLRuleError("merge keys `<<` are not supported (use extends/include)", key_node.start_mark.line + 1)
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise YAMLRuleError("keys must be plain strings", key_node.start_mark.line + 1)
            if key in seen:
                raise YAMLRuleError(
                    f"duplicate key `{key}` (first at line {seen[key]})", key_node.start_mark.line + 1)
            seen[key] = key_node.start_mark.line + 1
        mapping = {}
        for key_node, value_node in node.value:
            mapping[self.construct_object(key_node, deep=True)] = self.construct_object(value_node, deep=deep)
        return mapping


CoreLoader.yaml_implicit_resolvers = {}
for _tag, _regexp, _first in [
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
     list("-+.0123456789")),
]:
    CoreLoader.add_implicit_resolver(_tag, re.compile(_regexp), _first)


def _core_int(loader, node):
    v = loader.construct_scalar(node)
    if v.startswith("0o"):
        return int(v[2:], 8)
    if v.startswith("0x"):
        return int(v[2:], 16)
    return int(v, 10)


def _core_float(loader, node):
    v = loader.construct_scalar(node).lower()
    if v.endswith(".inf"):
        return -math.inf if v.startswith("-") else math.inf
    if v == ".nan":
        return math.nan
    return float(v)


CoreLoader.add_constructor("tag:yaml.org,2002:int", _core_int)
CoreLoader.add_constructor("tag:yaml.org,2002:float", _core_float)
for _tag in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary", "tag:yaml.org,2002:set",
             "tag:yaml.org,2002:omap", "tag:yaml.org,2002:pairs"):
    CoreLoader.add_constructor(_tag, lambda loader, node: (_ for _ in ()).throw(
        YAMLRuleError(f"tag `{node.tag}` is not allowed", node.start_mark.line + 1)))


def _check_tags_and_count(text: str) -> None:
    """Explicit tags must be core tags; exactly one document."""
    documents = 0
    for event in yaml.parse(text, Loader=CoreLoader):
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise YAMLRuleError("a template file holds one YAML document; this is a second one",
                                    event.start_mark.line + 1)
        tag = getattr(event, "tag", None)
        if tag is not None and tag != "!" and tag not in CORE_TAGS:
            raise YAMLRuleError(f"tag `{tag}` is not allowed", event.start_mark.line + 1)
    if documents == 0:
        raise YAMLRuleError("the file has no content")


def _check_depth_and_aliases(root: yaml.Node) -> None:
    """Nesting depth <= MAX_DEPTH and expanded size <= ALIAS_BUDGET, counted without expanding."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node, depth: int) -> int:
        if depth > MAX_DEPTH:
            raise YAMLRuleError(f"nesting deeper than {MAX_DEPTH} levels", node.start_mark.line + 1)
        key = id(node)
        if key in sizes and not isinstance(node, yaml.ScalarNode):
            return sizes[key]
        total = 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                total += size(k, depth + 1) + size(v, depth + 1)
        elif isinstance(node, yaml.SequenceNode):
            for v in node.value:
                total += size(v, depth + 1)
        total = min(total, ALIAS_BUDGET + 1)
        sizes[key] = total
        return total

    if size(root, 1) > ALIAS_BUDGET:
        raise YAMLRuleError(f"aliases expand to more than {ALIAS_BUDGET} nodes")


def load_yaml(text: str):
    """Loads one document under the format's YAML rules; raises YAMLRuleError or yaml.YAMLError."""
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise YAMLRuleError(f"file is larger than {MAX_FILE_BYTES} bytes")
    _check_tags_and_count(text)
    loader = CoreLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise YAMLRuleError("the file has no content")
        _check_depth_and_aliases(root)
        return loader.construct_document(root)
    finally:
        loader.dispose()


def _same(a, b) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


def _first_difference(a, b, path="") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in a:
            if k not in b:
                return f"{path}/{k}"
            d = _first_difference(a[k], b[k], f"{path}/{k}")
            if d:
                return d
        extra = [k for k in b if k not in a]
        return f"{path}/{extra[0]!r}" if extra else ""
    if isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b)):
            d = _first_difference(x, y, f"{path}/{i}")
            if d:
                return d
        return "" if len(a) == len(b) else path
    return "" if _same(a, b) else (path or "/") + f" (YAML 1.2: {a!r}, YAML 1.1: {b!r})"


# ---------------------------------------------------------------------------------------------

class Report:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.checked = 0

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")


def schema_errors(validator, data) -> list[str]:
    out = []
    for err in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        path = "/" + "/".join(str(p) for p in err.absolute_path)
        out.append(f"schema: at {path}: {err.message[:300]}")
    return out


def check_template_text(text: str, where: str, validator, report: Report, *, file_path: str | None = None) -> None:
    report.checked += 1
    try:
        data = load_yaml(text)
    except (YAMLRuleError, yaml.YAMLError) as e:
        report.fail(where, f"YAML: {e}")
        return
    try:
        legacy = yaml.safe_load(text)
    except yaml.YAMLError as e:  # pragma: no cover - core loader accepted it
        legacy = e
    if not _same(data, legacy):
        report.fail(where, "YAML 1.1 and 1.2 readers disagree at " + _first_difference(data, legacy)
                    + " (quote the value)")
    for msg in schema_errors(validator, data):
        report.fail(where, msg)
    if file_path is not None:
        first = text.split("\n", 1)[0]
        m = re.match(r"#\s*yaml-language-server:\s*\$schema=(\S+)\s*$", first)
        if not m:
            report.fail(where, "first line must be `# yaml-language-server: $schema=<relative path to grammar/template.schema.json>`")
        else:
            target = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(file_path)), m.group(1)))
            if target != os.path.normpath(SCHEMA_PATH):
                report.fail(where, f"$schema comment points at {m.group(1)}, not at grammar/template.schema.json")


FENCE = re.compile(r"^(?P<indent>[ ]{0,3})(?P<fence>```+|~~~+)(?P<info>[^\n]*)$")


def markdown_blocks(text: str):
    """Yields (line_number, info_string, body) for every fenced code block."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, info, start = m.group("fence"), m.group("info").strip(), i + 1
        body = []
        i += 1
        while i < len(lines) and not re.match(r"^[ ]{0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}\s*$", lines[i]):
            body.append(lines[i])
            i += 1
        i += 1
        yield start, info, "\n".join(body) + "\n"


SCHEMA_REJECTS = {"FC0201", "FC0505"}
LOADER_REJECTS = {"FC0102"}


def check_markdown(path: str, validator, report: Report) -> None:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    rel = os.path.relpath(path, ROOT)
    for line, info, body in markdown_blocks(text):
        words = info.split()
        if not words or words[0] != "yaml":
            continue
        where = f"{rel}:{line}"
        first = body.split("\n", 1)[0]
        if words[1:] == ["bad"]:
            report.checked += 1
            m = re.match(r"^# expect: (FC0\d{3})\s*$", first)
            if not m:
                report.fail(where, "a ```yaml bad block must start with `# expect: FC0xxx`")
                continue
            code = m.group(1)
            try:
                data = load_yaml(body)
            except YAMLRuleError as e:
                if code not in LOADER_REJECTS:
                    report.fail(where, f"YAML: {e}")
                continue
            except yaml.YAMLError as e:
                report.fail(where, f"YAML: {e}")
                continue
            if code in LOADER_REJECTS:
                report.fail(where, f"expected a YAML-level error for {code}, the block loads fine")
                continue
            errors = schema_errors(validator, data)
            if code in SCHEMA_REJECTS and not errors:
                report.fail(where, f"expected the schema to reject this {code} example")
            if code not in SCHEMA_REJECTS and errors:
                report.fail(where, f"a {code} example must be otherwise correct, but: " + "; ".join(errors))
        elif words[1:]:
            report.fail(where, f"unknown yaml block tag {info!r} (use ```yaml or ```yaml bad)")
        elif first.strip() == "flowc: 1":
            check_template_text(body, where, validator, report)
        else:
            report.checked += 1
            try:
                load_yaml(body)
            except (YAMLRuleError, yaml.YAMLError) as e:
                report.fail(where, f"YAML: {e}")


def main(argv: list[str]) -> int:
    with open(SCHEMA_PATH, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)

    if argv:
        paths = argv
    else:
        paths = []
        for base, _, files in os.walk(os.path.join(ROOT, "templates")):
            paths += [os.path.join(base, n) for n in files if n.endswith(".flow.yaml")]
        docs = os.path.join(ROOT, "docs")
        if os.path.isdir(docs):
            paths += [os.path.join(docs, n) for n in os.listdir(docs) if n.endswith(".md")]
        paths.sort()
        if not paths:
            print("check-schema: nothing to check", file=sys.stderr)
            return 2

    report = Report()
    for path in paths:
        if not os.path.isfile(path):
            print(f"check-schema: no such file: {path}", file=sys.stderr)
            return 2
        if path.endswith(".md"):
            check_markdown(path, validator, report)
        else:
            with open(path, encoding="utf-8") as f:
                text = f.read()
            check_template_text(text, os.path.relpath(os.path.abspath(path), ROOT), validator, report, file_path=path)

    for p in report.problems:
        print(p)
    print(f"check-schema: {report.checked} checked, {len(report.problems)} problem(s)")
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
