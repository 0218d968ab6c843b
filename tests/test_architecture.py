"""The pure core imports no database, index, model, flow or UI library (style.md: layers)."""

from __future__ import annotations

import subprocess
import sys

import pytest

PURE_MODULES = (
    "review_flows.calendar",
    "review_flows.rulebook",
    "review_flows.timeline",
    "review_flows.milestones",
    "review_flows.lifecycle",
    "review_flows.event_validation",
    "review_flows.events",
    "review_flows.what_if",
    "learning.briefing_sections",
    "learning.briefing_sentences",
    "learning.themes.national_figures",
    "learning.themes.national_rates",
    "core.labels",
    "core.personal_data",
    "core.personal_names",
    "core.personal_patterns",
    "core.personal_recogniser",
    "review_flows.week",
    "review_flows.sweep_times",
    "review_flows.amendments",
    "review_flows.notify.plan",
    "review_flows.feeds",
    "review_flows.digest_text",
    "core.digest_model",
    "core.access",
    "core.draft_model",
    "learning.case_annex",
    "review_flows.rapid_review_docx",
    "learning.case_learning",
    "review_flows.partnership_names",
    "learning.cleaning",
    "learning.layout_headings",
    "learning.layout_line",
    "learning.structure",
    "learning.fusion",
    "learning.review_context",
    "learning.filters",
    "learning.query",
    "learning.title_page",
    "learning.results",
    "learning.facets",
    "learning.facet_words",
    "learning.facet_ranking",
    "learning.facet_roles",
    "learning.themes.scoring",
    "learning.themes.keyword_evidence",
    "learning.themes.learned_head",
    "learning.themes.head_format",
    "learning.themes.trends",
    "learning.themes.rates",
    "learning.themes.cooccurrence",
)
HEAVY = (
    "faiss",
    "torch",
    "sentence_transformers",
    "sqlmodel",
    "sqlalchemy",
    "sqlite3",
    "prefect",
    "streamlit",
)


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_module_imports_nothing_heavy(module: str) -> None:
    code = (
        f"import sys, {module}; "
        f"print(sorted({set(HEAVY)!r} & {{name.split('.')[0] for name in sys.modules}}))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "[]"


def test_a_heavy_import_would_be_caught() -> None:
    # The check itself must be able to fail: a module that pulls in sqlalchemy is reported.
    code = f"import sys, core.db; print(sorted({set(HEAVY)!r} & set(sys.modules)))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "sqlalchemy" in loaded.stdout
