"""The packages' layers (docs/ARCHITECTURE.md): ``core`` at the bottom, ``learning`` and
``review_flows`` on it and never on each other, the composition roots (``cspr``, ``ui``,
``app.py``) on top. Every import counts, inside functions and ``TYPE_CHECKING`` blocks too.
The two halves meet only through the seam in :mod:`core.learning_seam`, which learning
implements (:mod:`learning.seam`) and an entry point names; nothing here lists an exception."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
OURS = ("core", "learning", "review_flows", "cspr", "ui", "app")
#: What each package may import of ours (besides itself).
ALLOWED: dict[str, frozenset[str]] = {
    "core": frozenset(),
    "learning": frozenset({"core"}),
    "review_flows": frozenset({"core"}),
    "cspr": frozenset({"core", "learning", "review_flows"}),
    "ui": frozenset({"core", "learning", "review_flows"}),
    "app": frozenset({"core", "learning", "review_flows", "ui"}),
}


def imported_packages(source: str) -> Iterator[tuple[int, str]]:
    """(line, top-level package) of every absolute import in ``source``."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split(".")[0]


def modules_of(package: str) -> list[Path]:
    if package == "app":
        return [REPO / "app.py"]
    return sorted((REPO / package).rglob("*.py"))


def crossings(package: str) -> list[str]:
    """Each import of ``package`` that its layer does not allow, as ``path:line -> package``."""
    found = []
    for path in modules_of(package):
        for line, imported in imported_packages(path.read_text(encoding="utf-8")):
            if imported in OURS and imported != package and imported not in ALLOWED[package]:
                found.append(f"{path.relative_to(REPO)}:{line} -> {imported}")
    return found


@pytest.mark.parametrize("package", OURS)
def test_each_package_imports_only_the_layers_below_it(package: str) -> None:
    assert modules_of(package), f"{package} has no modules: the layer list is out of date"
    assert crossings(package) == []


def test_every_package_of_ours_has_a_layer() -> None:
    packages = {path.parent.name for path in REPO.glob("*/__init__.py")}
    assert packages - {"tests", "benchmarks", "corpus", "scripts"} <= set(OURS)


def test_a_crossing_would_be_caught() -> None:
    # the check itself can fail: an import of the workflow inside a function is found
    source = "def f():\n    from review_flows.cases import create_case\n"
    assert list(imported_packages(source)) == [(2, "review_flows")]


def test_the_seam_is_implemented_by_learning_and_named_by_an_entry_point() -> None:
    from importlib.metadata import entry_points

    from core.learning_seam import SEAM_GROUP, LearningSide, learning_side

    (point,) = entry_points(group=SEAM_GROUP, name="learning")
    assert point.value.startswith("learning.")
    assert isinstance(learning_side(), LearningSide)


#: The longest a module may be, code or test (issue 25): one subject, read in one sitting.
MODULE_LINES = 400


def test_no_module_is_over_400_lines() -> None:
    folders = [*OURS[:-1], "tests", "benchmarks", "corpus", "scripts"]
    paths = [REPO / "app.py", *(p for folder in folders for p in (REPO / folder).rglob("*.py"))]
    lines = {path: len(path.read_text(encoding="utf-8").splitlines()) for path in paths}
    assert len(lines) > 300  # the walk found the repository's modules
    assert {str(p.relative_to(REPO)): n for p, n in lines.items() if n > MODULE_LINES} == {}
