"""mypy checks the shared core and the pure logic strictly, the rest in standard mode
(pyproject's [tool.mypy], run by ``make lint``): every module of PURE_MODULES and all of
``core`` are in the strict override, with every flag ``--strict`` turns on, so the list the
architecture test keeps and the list mypy reads cannot drift apart."""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path
from typing import Any

import pytest
from mypy.main import process_options
from mypy.options import PER_MODULE_OPTIONS

from tests.test_architecture import PURE_MODULES

ROOT = Path(__file__).resolve().parents[1]


def _mypy_config() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]


def _strict_override() -> dict[str, Any]:
    """The one override that turns strict checking on (mypy reads ``strict`` only globally:
    in an override it would make every module strict, so the flags are listed)."""
    strict = [o for o in _mypy_config().get("overrides", []) if o.get("disallow_untyped_defs")]
    assert len(strict) == 1, "expected one [[tool.mypy.overrides]] with the strict flags"
    return strict[0]


def _patterns() -> list[str]:
    module = _strict_override()["module"]
    return [module] if isinstance(module, str) else list(module)


def _covers(patterns: list[str], module: str) -> bool:
    """Whether a mypy override's module patterns take in ``module`` (``a.*`` is ``a`` and
    every module under it)."""
    for pattern in patterns:
        if pattern == module:
            return True
        if pattern.endswith(".*") and (module == pattern[:-2] or module.startswith(pattern[:-1])):
            return True
    return False


def _strict_flags() -> dict[str, object]:
    """What ``mypy --strict`` sets, read from mypy itself (no config file), so a flag a new
    mypy adds to strict mode is asked for here too."""
    _, strict = process_options(["--config-file", "", "--strict", "-c", "pass"])
    _, plain = process_options(["--config-file", "", "-c", "pass"])
    names = [n for n in dir(strict) if not n.startswith("_") and not callable(getattr(strict, n))]
    return {n: getattr(strict, n) for n in names if getattr(strict, n) != getattr(plain, n)}


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_module_is_checked_strictly(module: str) -> None:
    assert _covers(_patterns(), module), f"add {module!r} to the strict mypy override"


def test_core_is_checked_strictly() -> None:
    assert "core.*" in _patterns()


def test_pure_packages_are_strict_to_their_last_module() -> None:
    # A pure package (its __init__ importing its own modules) is strict throughout.
    packages = [m for m in PURE_MODULES if (ROOT / m.replace(".", "/")).is_dir()]
    for package in packages:
        assert f"{package}.*" in _patterns(), f"add {package + '.*'!r} to the strict override"


def test_strict_override_names_only_core_and_pure_modules_that_exist() -> None:
    listed = {*PURE_MODULES, *(f"{m}.*" for m in PURE_MODULES), "core.*"}
    assert [p for p in _patterns() if p not in listed] == []
    for pattern in _patterns():
        assert importlib.util.find_spec(pattern.removesuffix(".*")) is not None, pattern


def test_strict_override_sets_every_flag_of_strict_mode() -> None:
    config, override = _mypy_config(), _strict_override()
    missing = {
        flag: value
        for flag, value in _strict_flags().items()
        if (
            override.get(flag, config.get(flag)) if flag in PER_MODULE_OPTIONS else config.get(flag)
        )
        != value
    }
    assert missing == {}


def test_standard_mode_covers_every_package() -> None:
    assert sorted(_mypy_config()["files"]) == [
        "app.py",
        "core",
        "cspr",
        "learning",
        "review_flows",
        "ui",
    ]


def test_the_coverage_check_can_fail() -> None:
    assert not _covers(["core.*"], "learning.fusion")
    assert not _covers(["learning.structure"], "learning.structure.sections")
    assert not _covers(["core.*"], "corelike")
    assert _covers(["learning.structure.*"], "learning.structure")
    assert _strict_flags()["disallow_untyped_defs"] is True
