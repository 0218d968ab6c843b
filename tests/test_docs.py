"""README stays in step with the code it documents."""

from __future__ import annotations

import re

from core.settings import Settings
from tests.conftest import REPO_ROOT


def _readme_settings_rows() -> dict[str, str]:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(CSPR_[A-Z_]+)` \| (.*?) \|", text, flags=re.MULTILINE)
    return dict(rows)


def test_readme_lists_every_setting_and_no_other() -> None:
    documented = set(_readme_settings_rows())
    actual = {f"CSPR_{name.upper()}" for name in Settings.model_fields}
    assert documented == actual


def test_ci_runs_the_readme_test_command() -> None:
    ci = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert "make test" in ci
    assert "make test" in readme and "make run" in readme


def test_every_test_security_md_cites_exists() -> None:
    """SECURITY.md's access table names the tests that prove each row: they must exist."""
    import re

    text = (REPO_ROOT / "SECURITY.md").read_text(encoding="utf-8")
    # test names, not the test modules of the paths (``tests/ui/test_feeds.py``)
    cited = set(re.findall(r"(?<![/\w])(test_[a-z0-9_]+)(?![\w.])", text))
    assert len(cited) >= 15
    sources = "\n".join(
        p.read_text(encoding="utf-8") for p in (REPO_ROOT / "tests").rglob("test_*.py")
    )
    missing = sorted(name for name in cited if f"def {name}(" not in sources)
    assert missing == []
