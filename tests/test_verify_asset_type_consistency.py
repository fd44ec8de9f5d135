"""Tests for scripts/verify_asset_type_consistency.py (loaded by path: scripts/ is no package)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SCRIPT = REPO_ROOT / "scripts" / "verify_asset_type_consistency.py"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("verify_asset_type_consistency", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


checker = _load_script()


def plant(directory: Path, name: str, source: str) -> Path:
    """Write ``source`` (dedented; its first line is line 1) to ``directory/name``."""
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def lines_of(path: Path) -> list[int]:
    return [finding.line for finding in checker.check_paths([path])]


def run_script(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


NEAR_MISSES = '''\
"""Docstring that mentions asset.get("type") and asset["type"] and asset.type."""

import json

# asset["type"] = "server"  <- only a comment
MESSAGE = 'asset["type"] is forbidden, use asset.asset_type'
REQUEST_SCHEMA = {"type": "object", "properties": {"name": {"type": "string"}}}
ASSET_SCHEMA = {"type": "object", "properties": {}, "required": ["asset_type"]}
NULLABLE_ASSET_FIELD = {"type": ["string", "null"]}


def handle(event: dict, asset: dict, mapping: object) -> object:
    """Return asset.get("type") - not really, this is a docstring."""
    kind = event["type"]
    other = mapping.type
    cls = type(asset)
    value = asset["asset_type"]
    same = asset.get("asset_type")
    asset_type = {"type": "enum"}
    label = asset_type["type"]
    counts = {"type": kind, "count": 1}
    parser_args = dict(type=int, default=0)
    payload = json.dumps({"type": "asset.created", "asset_id": 1})
    return (kind, other, cls, value, same, label, counts, parser_args, payload)


class AssetTypeEnum:
    type = "kind of an asset, not an asset"


class Event:
    type: str

    def __init__(self) -> None:
        self.type = "created"
'''


# -- finding kinds ----------------------------------------------------------------------


def test_kind1_subscript_on_asset(tmp_path: Path) -> None:
    path = plant(
        tmp_path,
        "kind1.py",
        """\
        def f(asset, asset_data, assets, assets_by_id, k, event):
            kind = asset["type"]
            asset_data["type"] = "server"
            del assets[0]["type"]
            ok = event["type"]
            x = assets_by_id[k]["type"]
            if "type" in asset:
                pass
            return kind, ok, x
        """,
    )
    findings = checker.check_paths([path])
    assert [f.line for f in findings] == [2, 3, 4, 6, 7]
    assert findings[0].col == 18  # 1-based column of the "type" key
    assert all("asset" in f.message and '"type"' in f.message for f in findings)


def test_columns_count_characters_not_bytes() -> None:
    # ast reports UTF-8 byte offsets; the report must use 1-based character columns.
    source = 'label = "Zürich café"; kind = asset["type"]\n'
    [finding] = checker.check_source(source, "utf8.py")
    assert (finding.line, finding.col) == (1, source.index('"type"') + 1)


def test_kind2_get_pop_setdefault(tmp_path: Path) -> None:
    path = plant(
        tmp_path,
        "kind2.py",
        """\
        def f(asset, new_asset, repo, event):
            a = asset.get("type")
            b = new_asset.pop("type", None)
            c = repo.get_asset(1).setdefault("type", "server")
            d = event.get("type")
            e = asset.get("asset_type")
            return a, b, c, d, e
        """,
    )
    findings = checker.check_paths([path])
    assert [f.line for f in findings] == [2, 3, 4]
    assert [f.message for f in findings] == [
        'asset .get("type") call (use "asset_type")',
        'asset .pop("type") call (use "asset_type")',
        'asset .setdefault("type") call (use "asset_type")',
    ]


def test_kind3_attribute_on_asset(tmp_path: Path) -> None:
    path = plant(
        tmp_path,
        "kind3.py",
        """\
        class Service:
            def f(self, asset, Asset, ctx, mapping):
                a = asset.type
                b = Asset.type
                self.asset.type = "vm"
                c = ctx.asset_row.type
                d = mapping.type
                e = getattr(asset, "type", None)
                f = asset.asset_type
                return a, b, c, d, e, f
        """,
    )
    findings = checker.check_paths([path])
    assert [f.line for f in findings] == [3, 4, 5, 6, 8]
    assert findings[0].col == 19  # points at ``type`` of ``asset.type``


def test_kind4_dict_literal(tmp_path: Path) -> None:
    path = plant(
        tmp_path,
        "kind4.py",
        """\
        asset = {"type": "server", "hostname": "web01"}
        asset_data: dict = {"type": "db"}
        config = {"type": "server"}
        row = {"name": "web01", "ip_address": "10.0.0.1", "type": "vm"}
        assets = []
        assets.append({"type": "vm"})
        batch = [{"name": "a", "type": "x"}]
        register(asset={"type": "app"})


        def build_asset():
            return {"type": "server"}


        def build_event():
            return {"type": "server"}
        assets = [{"type": "a"}, {"asset_type": "b"}]
        """,
    )
    findings = checker.check_paths([path])
    assert [f.line for f in findings] == [1, 2, 4, 6, 8, 12, 17]
    assert all(f.message == 'asset dict key "type" (use "asset_type")' for f in findings)


def test_kind5_type_keyword(tmp_path: Path) -> None:
    path = plant(
        tmp_path,
        "kind5.py",
        """\
        a = Asset(type="server", name="web01")
        b = create_asset(session, type="vm")
        asset = dict(type="db")
        c = dict(type="x", hostname="h", fqdn="h.example")
        d = Column(type="x")
        e = dict(type="x")
        asset.update(type="vm")
        f = Asset(asset_type="server")
        """,
    )
    findings = checker.check_paths([path])
    assert [f.line for f in findings] == [1, 2, 3, 4, 7]
    assert all("type=" in f.message for f in findings)


def test_asset_class_type_field(tmp_path: Path) -> None:
    path = plant(
        tmp_path,
        "models.py",
        """\
        class Asset:
            type: str
            name: str

            def __init__(self) -> None:
                self.type = "server"


        class AssetRecord:
            type = "column"
        """,
    )
    assert lines_of(path) == [2, 6, 10]


# -- no false positives ---------------------------------------------------------------------


def test_near_misses_report_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = plant(tmp_path, "clean.py", NEAR_MISSES)
    assert checker.check_source(path.read_text(encoding="utf-8"), str(path)) == []
    assert checker.main([str(path)]) == 0
    assert 'checked 1 files: no "type" used for asset_type' in capsys.readouterr().out


def test_same_code_outside_strings_is_flagged() -> None:
    # Guards the near-miss test: the forms hidden in comments/strings above are detected
    # when they are real code, so the clean result is not because nothing is ever found.
    source = 'asset["type"] = "server"\nx = asset.get("type")\ny = asset.type\n'
    assert [f.line for f in checker.check_source(source, "inline.py")] == [1, 2, 3]


def test_skipped_directories_and_non_python_files(tmp_path: Path) -> None:
    bad = 'asset["type"] = 1\n'
    for skipped in ("__pycache__", ".venv", "venv", "build", "dist", ".git", "node_modules"):
        plant(tmp_path, f"{skipped}/bad.py", bad)
    plant(tmp_path, "notes.txt", bad)
    counted = plant(tmp_path, "pkg/sub/bad.py", bad)
    findings = checker.check_paths([tmp_path])
    assert [(f.path, f.line) for f in findings] == [(str(counted), 1)]


# -- command line ----------------------------------------------------------------------------


def test_main_reports_missing_path_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "does_not_exist"
    assert checker.main([str(missing)]) == 2
    assert str(missing) in capsys.readouterr().err


def test_main_summary_on_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plant(tmp_path, "a.py", 'asset["type"] = 1\nasset.type = 2\n')
    plant(tmp_path, "b.py", 'x = get_asset().get("type")\n')
    assert checker.main([str(tmp_path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "3 finding(s) in 2 file(s)"
    assert out[0].startswith(f"{tmp_path / 'a.py'}:1:7: ")


def test_default_dirs_skip_missing_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A repository with scripts/ but no src/ yet: the defaults must not fail on src/.
    monkeypatch.setattr(checker, "REPO_ROOT", tmp_path)
    plant(tmp_path, "scripts/tool.py", "asset = {}\n")
    assert checker.main([]) == 0
    assert "checked 1 files" in capsys.readouterr().out
    plant(tmp_path, "scripts/bad.py", 'asset = {"type": "vm"}\n')
    assert checker.main([]) == 1
    assert "bad.py:1:10:" in capsys.readouterr().out


def test_subprocess_violation_exits_1(tmp_path: Path) -> None:
    plant(tmp_path, "pkg/clean.py", NEAR_MISSES)
    plant(tmp_path, "pkg/bad.py", 'import x\n\nasset = x.load()\nkind = asset["type"]\n')
    result = run_script("pkg", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "pkg/bad.py:4:14: " in result.stdout
    assert "clean.py" not in result.stdout
    assert result.stdout.strip().endswith("1 finding(s) in 1 file(s)")


def test_subprocess_clean_dir_exits_0(tmp_path: Path) -> None:
    plant(tmp_path, "clean.py", NEAR_MISSES)
    result = run_script(tmp_path, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == 'checked 1 files: no "type" used for asset_type'


def test_subprocess_syntax_error_exits_2(tmp_path: Path) -> None:
    plant(tmp_path, "ok.py", "x = 1\n")
    plant(tmp_path, "broken.py", "x = 1\ndef f(:\n    pass\n")
    result = run_script(tmp_path, cwd=tmp_path)  # shown relative to the working directory
    assert result.returncode == 2, result.stdout + result.stderr
    assert "error: broken.py:2: syntax error" in result.stderr


def test_subprocess_missing_path_exits_2(tmp_path: Path) -> None:
    result = run_script("nope", cwd=tmp_path)
    assert result.returncode == 2
    assert "nope" in result.stderr


def test_real_repository_is_clean(tmp_path: Path) -> None:
    # No arguments: checks src/ and scripts/ of this repository, wherever it is run from.
    result = run_script(cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'no "type" used for asset_type' in result.stdout
