"""Check that assets never use the key or attribute ``"type"`` where ``asset_type`` is meant.

The contract of the discovery service is that asset dicts and asset objects always carry
their kind under ``asset_type``.  A stray ``asset["type"]`` or ``Asset(type="server")``
silently produces data that the rest of the pipeline ignores, so this script looks for
them in Python sources.

Why the ``ast`` module and not a text search: the word ``type`` is everywhere in Python
code - in comments, docstrings, log messages, JSON-schema dicts (``{"type": "object"}``),
event payloads (``event["type"]``) and calls to the ``type()`` builtin.  Only the parsed
syntax tree can tell ``asset["type"]`` in code apart from the same characters inside a
comment or a string, and tell which object a subscript or attribute is applied to.

An expression is *asset-ish* when its base name contains ``asset`` (case-insensitive):
a name (``asset``, ``assets``, ``new_asset``, ``Asset``), an attribute (``self.asset``,
``ctx.asset_row``), a subscript of an asset-ish value (``assets[0]``) or a call of a
function or method whose name contains ``asset`` (``get_asset(...)``).  Names in which
``asset`` only occurs as part of ``asset_type`` (``asset_type``, ``AssetType``,
``asset_types``) name the *kind* of an asset, not an asset, and are not asset-ish.

Flagged, where ``X`` is asset-ish:

1. ``X["type"]`` (read, write or ``del``) and ``"type" in X``;
2. ``X.get("type")``, ``X.pop("type")``, ``X.setdefault("type", ...)``;
3. ``X.type`` and ``getattr/setattr/hasattr/delattr(X, "type", ...)``;
4. a dict literal with the key ``"type"`` that is assigned (``=``, ``:``-annotated,
   ``|=``, ``:=``) to an asset-ish target, passed as an asset-ish keyword argument
   (``f(asset={...})``), added to an asset-ish container (``assets.append({...})``,
   ``asset.update({...})``), or returned from a function whose name is asset-ish - also
   as an element of a list/tuple/set literal or comprehension - or that has at least two
   other keys among the canonical asset fields (``hostname``, ``ip_address``, ...);
   dicts whose ``"type"`` value is a JSON-schema type (``"object"``, ``"string"``, ...)
   are JSON schemas and are ignored;
5. a keyword argument ``type=`` in a call of an asset-ish callee (``Asset(type=...)``,
   ``create_asset(type=...)``, ``asset.update(type=...)``), or in a ``dict(...)`` call
   that is used as an asset (same contexts as 4) or that has two canonical asset fields;
6. a field named ``type`` declared in the body of a class whose name is asset-ish
   (``class Asset: type: str``) or assigned as ``self.type`` in its methods.

Usage::

    python scripts/verify_asset_type_consistency.py [PATH ...]

Without paths, ``src/`` and ``scripts/`` of the repository holding this script are checked
(missing ones are skipped).  Exit status: 0 when clean, 1 when something is found, 2 for a
path that does not exist or a file that cannot be read or parsed.
"""

from __future__ import annotations

import argparse
import ast
import os
import sys
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIRS = ("src", "scripts")
SKIP_DIRS = frozenset({"__pycache__", ".venv", "venv", "build", "dist", ".git", "node_modules"})

TYPE_KEY = "type"
CANONICAL_ASSET_FIELDS = frozenset(
    {
        "name",
        "hostname",
        "fqdn",
        "ip_address",
        "mac_address",
        "serial_number",
        "external_id",
        "asset_type",
        "operating_system",
        "os_version",
        "cpu_cores",
        "memory_gb",
        "storage_gb",
        "environment",
        "criticality",
        "power_state",
        "virtualization_platform",
        "datacenter",
        "application_name",
    }
)
JSON_SCHEMA_TYPES = frozenset({"object", "array", "string", "integer", "number", "boolean", "null"})
KEY_METHODS = frozenset({"get", "pop", "setdefault"})
ATTR_BUILTINS = frozenset({"getattr", "setattr", "hasattr", "delattr"})
CONTAINER_METHODS = frozenset(
    {"append", "appendleft", "insert", "extend", "extendleft", "update", "add"}
)


@dataclass(frozen=True, order=True)
class Finding:
    """One use of ``"type"`` on an asset; ``line`` and ``col`` are 1-based."""

    path: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.message}"


class CheckError(Exception):
    """A path that does not exist or a file that cannot be read or parsed."""


def is_asset_name(name: str) -> bool:
    """True when ``name`` mentions an asset (and not merely an ``asset_type``)."""
    lowered = name.lower().replace("asset_type", "").replace("assettype", "")
    return "asset" in lowered


def callee_name(func: ast.expr) -> str | None:
    """The name a call is made through: ``f`` for ``f()``, ``m`` for ``obj.m()``."""
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def is_asset_ish(node: ast.expr) -> bool:
    """True when the base name of ``node`` says that it holds an asset."""
    if isinstance(node, ast.Name):
        return is_asset_name(node.id)
    if isinstance(node, ast.Attribute):
        return is_asset_name(node.attr)
    if isinstance(node, ast.Subscript):
        return is_asset_ish(node.value)
    if isinstance(node, ast.Call):
        name = callee_name(node.func)
        return name is not None and is_asset_name(name)
    return False


def is_type_constant(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value == TYPE_KEY


def is_json_schema_type(node: ast.expr) -> bool:
    """True for ``"object"`` or ``["string", "null"]``: the dict is a JSON schema."""
    if isinstance(node, ast.Constant):
        return node.value in JSON_SCHEMA_TYPES
    if isinstance(node, ast.List | ast.Tuple):
        return bool(node.elts) and all(
            isinstance(elt, ast.Constant) and elt.value in JSON_SCHEMA_TYPES for elt in node.elts
        )
    return False


def dict_type_key(node: ast.Dict) -> ast.expr | None:
    """The ``"type"`` key of a dict literal, unless absent or the dict is a JSON schema."""
    for key, value in zip(node.keys, node.values, strict=True):
        if is_type_constant(key):
            return None if is_json_schema_type(value) else key
    return None


def canonical_key_count(keys: Iterable[str]) -> int:
    return sum(1 for key in keys if key in CANONICAL_ASSET_FIELDS)


def dict_call_type_keyword(node: ast.Call) -> ast.keyword | None:
    """The ``type=`` keyword of a ``dict(...)`` call, if any."""
    if not (isinstance(node.func, ast.Name) and node.func.id == "dict"):
        return None
    for keyword in node.keywords:
        if keyword.arg == TYPE_KEY and not is_json_schema_type(keyword.value):
            return keyword
    return None


class _AssetTypeVisitor(ast.NodeVisitor):
    """Collects :class:`Finding` objects for one parsed module."""

    def __init__(self, source: str, path: str) -> None:
        self.path = path
        self.lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        self.findings: list[Finding] = []
        self._seen: set[tuple[int, int, str]] = set()
        # Enclosing classes and functions, innermost last: ("class" | "def", name).
        self._scopes: list[tuple[str, str]] = []

    # -- reporting -----------------------------------------------------------------

    def _column(self, line: int, byte_col: int) -> int:
        """Turn the UTF-8 byte offset ``ast`` reports into a 1-based character column."""
        if 1 <= line <= len(self.lines):
            prefix = self.lines[line - 1].encode("utf-8")[:byte_col]
            return len(prefix.decode("utf-8", errors="ignore")) + 1
        return byte_col + 1

    def _report_at(self, line: int, byte_col: int, message: str) -> None:
        finding = Finding(self.path, line, self._column(line, byte_col), message)
        key = (finding.line, finding.col, finding.message)
        if key not in self._seen:
            self._seen.add(key)
            self.findings.append(finding)

    def _report(self, node: ast.expr | ast.keyword, message: str) -> None:
        self._report_at(node.lineno, node.col_offset, message)

    def _report_attribute(self, node: ast.Attribute, message: str) -> None:
        # Point at the attribute name itself, which ends the Attribute node.
        if node.end_lineno is not None and node.end_col_offset is not None:
            self._report_at(node.end_lineno, node.end_col_offset - len(node.attr), message)
        else:
            self._report(node, message)

    # -- asset values (finding kinds 4 and 5 by context) ---------------------------

    def _check_asset_value(self, node: ast.expr | None) -> None:
        """``node`` is used as an asset: flag a ``"type"`` key built into it."""
        if node is None:
            return
        if isinstance(node, ast.Dict):
            key = dict_type_key(node)
            if key is not None:
                self._report(key, 'asset dict key "type" (use "asset_type")')
        elif isinstance(node, ast.Call):
            keyword = dict_call_type_keyword(node)
            if keyword is not None:
                self._report(keyword, "asset dict(type=...) keyword (use asset_type=)")
        elif isinstance(node, ast.List | ast.Tuple | ast.Set):
            for elt in node.elts:
                self._check_asset_value(elt.value if isinstance(elt, ast.Starred) else elt)
        elif isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp):
            self._check_asset_value(node.elt)
        elif isinstance(node, ast.IfExp):
            self._check_asset_value(node.body)
            self._check_asset_value(node.orelse)
        elif isinstance(node, ast.BoolOp):
            for value in node.values:
                self._check_asset_value(value)

    def _innermost(self, kind: str) -> str | None:
        for scope_kind, name in reversed(self._scopes):
            if scope_kind == kind:
                return name
        return None

    # -- scopes ----------------------------------------------------------------------

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if is_asset_name(node.name):
            for statement in node.body:
                targets: list[ast.expr] = []
                if isinstance(statement, ast.Assign):
                    targets = statement.targets
                elif isinstance(statement, ast.AnnAssign):
                    targets = [statement.target]
                for target in targets:
                    if isinstance(target, ast.Name) and target.id == TYPE_KEY:
                        self._report(
                            target,
                            f'asset class {node.name} defines field "type" (use "asset_type")',
                        )
        self._scopes.append(("class", node.name))
        self.generic_visit(node)
        self._scopes.pop()

    def _visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._scopes.append(("def", node.name))
        self.generic_visit(node)
        self._scopes.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._visit_function(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._visit_function(node)

    # -- statements that give a value an asset-ish target ----------------------------

    def visit_Assign(self, node: ast.Assign) -> None:
        if any(is_asset_ish(target) for target in node.targets):
            self._check_asset_value(node.value)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if is_asset_ish(node.target):
            self._check_asset_value(node.value)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if is_asset_ish(node.target):
            self._check_asset_value(node.value)
        self.generic_visit(node)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        if is_asset_ish(node.target):
            self._check_asset_value(node.value)
        self.generic_visit(node)

    def visit_Return(self, node: ast.Return) -> None:
        if self._scopes and self._scopes[-1][0] == "def" and is_asset_name(self._scopes[-1][1]):
            self._check_asset_value(node.value)
        self.generic_visit(node)

    # -- expressions -------------------------------------------------------------------

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if is_type_constant(node.slice) and is_asset_ish(node.value):
            self._report(node.slice, 'asset key "type" subscripted (use "asset_type")')
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        left = node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            if (
                isinstance(op, ast.In | ast.NotIn)
                and is_type_constant(left)
                and is_asset_ish(right)
            ):
                self._report(left, 'asset key "type" membership test (use "asset_type")')
            left = right
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr == TYPE_KEY:
            if is_asset_ish(node.value):
                self._report_attribute(node, "asset attribute .type (use .asset_type)")
            elif (
                isinstance(node.ctx, ast.Store)
                and isinstance(node.value, ast.Name)
                and node.value.id == "self"
            ):
                class_name = self._innermost("class")
                if class_name is not None and is_asset_name(class_name):
                    self._report_attribute(
                        node, f"asset class {class_name} sets self.type (use self.asset_type)"
                    )
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        key = dict_type_key(node)
        if key is not None:
            other_keys = (
                k.value
                for k in node.keys
                if isinstance(k, ast.Constant) and isinstance(k.value, str) and k is not key
            )
            if canonical_key_count(other_keys) >= 2:
                self._report(key, 'asset dict key "type" (use "asset_type")')
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = callee_name(func)
        receiver = func.value if isinstance(func, ast.Attribute) else None

        # Kind 2: asset.get("type") / .pop / .setdefault.
        if (
            receiver is not None
            and name in KEY_METHODS
            and node.args
            and is_type_constant(node.args[0])
            and is_asset_ish(receiver)
        ):
            self._report(node.args[0], f'asset .{name}("type") call (use "asset_type")')

        # Kind 3 through the attribute builtins: getattr(asset, "type").
        if (
            isinstance(func, ast.Name)
            and name in ATTR_BUILTINS
            and len(node.args) >= 2
            and is_type_constant(node.args[1])
            and is_asset_ish(node.args[0])
        ):
            self._report(node.args[1], f'asset attribute "type" via {name}() (use "asset_type")')

        # Kind 5: Asset(type=...), create_asset(type=...), asset.update(type=...).
        asset_callee = name is not None and (
            is_asset_name(name)
            or (name == "update" and receiver is not None and is_asset_ish(receiver))
        )
        if asset_callee:
            for keyword in node.keywords:
                if keyword.arg == TYPE_KEY:
                    self._report(
                        keyword, f"keyword argument type= in asset call {name}() (use asset_type=)"
                    )

        # Kind 5 without context: dict(type=..., hostname=..., ip_address=...).
        dict_keyword = dict_call_type_keyword(node)
        if dict_keyword is not None:
            other = (kw.arg for kw in node.keywords if kw.arg and kw is not dict_keyword)
            if canonical_key_count(other) >= 2:
                self._report(dict_keyword, "asset dict(type=...) keyword (use asset_type=)")

        # Kind 4 context: assets.append({...}), asset.update({...}).
        if receiver is not None and name in CONTAINER_METHODS and is_asset_ish(receiver):
            for arg in node.args:
                self._check_asset_value(arg)

        # Kind 4 context: f(asset={...}).
        for keyword in node.keywords:
            if keyword.arg is not None and is_asset_name(keyword.arg):
                self._check_asset_value(keyword.value)

        self.generic_visit(node)


def check_source(source: str, path: str) -> list[Finding]:
    """Return the findings for one module's source; raises ``SyntaxError`` if it does not parse."""
    tree = ast.parse(source, filename=path)
    visitor = _AssetTypeVisitor(source, path)
    visitor.visit(tree)
    return sorted(visitor.findings)


def iter_python_files(root: Path) -> Iterator[Path]:
    """``root`` itself if it is a file, else every ``*.py`` below it outside skipped dirs."""
    if root.is_file():
        yield root
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for filename in sorted(filenames):
            if filename.endswith(".py"):
                yield Path(dirpath) / filename


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it."""
    if path.is_absolute():
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)
    return str(path)


def read_source(path: Path) -> str:
    """Read a Python file honouring its encoding cookie / BOM."""
    with tokenize.open(path) as handle:
        return handle.read()


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """Expand files and directories; raises :class:`CheckError` for a missing path."""
    files: list[Path] = []
    seen: set[Path] = set()
    for root in paths:
        if not root.exists():
            raise CheckError(f"{root}: no such file or directory")
        for file in iter_python_files(root):
            resolved = file.resolve()
            if resolved not in seen:
                seen.add(resolved)
                files.append(file)
    return files


def check_files(files: Iterable[Path]) -> list[Finding]:
    findings: list[Finding] = []
    for file in files:
        shown = display_path(file)
        try:
            source = read_source(file)
        except (OSError, UnicodeDecodeError, SyntaxError) as exc:
            # tokenize.open raises SyntaxError for an invalid encoding cookie.
            raise CheckError(f"{shown}: cannot read file: {exc}") from exc
        try:
            findings.extend(check_source(source, shown))
        except SyntaxError as exc:
            line = exc.lineno if exc.lineno is not None else 0
            raise CheckError(f"{shown}:{line}: syntax error: {exc.msg}") from exc
        except ValueError as exc:  # e.g. "source code string cannot contain null bytes"
            raise CheckError(f"{shown}: cannot parse: {exc}") from exc
    return findings


def check_paths(paths: Iterable[Path | str]) -> list[Finding]:
    """Check files and directories; raises :class:`CheckError` for bad paths or sources."""
    return check_files(collect_files(Path(p) for p in paths))


def default_paths() -> list[Path]:
    """``src/`` and ``scripts/`` of this repository, those of them that exist."""
    return [REPO_ROOT / name for name in DEFAULT_DIRS if (REPO_ROOT / name).is_dir()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description='Report assets that use the key/attribute "type" instead of "asset_type".'
    )
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="files or directories to check (default: src/ and scripts/ of the repository)",
    )
    args = parser.parse_args(argv)
    roots: list[Path] = args.paths or default_paths()
    try:
        files = collect_files(roots)
        findings = check_files(files)
    except CheckError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not findings:
        print(f'checked {len(files)} files: no "type" used for asset_type')
        return 0
    for finding in findings:
        print(finding)
    file_count = len({finding.path for finding in findings})
    print(f"{len(findings)} finding(s) in {file_count} file(s)")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
