"""``cspr ingest``, ``cspr search`` and ``cspr similar`` with a fake encoder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import learning.runtime
from cspr.cli import library as library_cli
from learning.encoder import FakeEncoder
from tests.learning.factories import CORPUS, write_corpus
from tests.learning.test_search import PRECIS

pytest_plugins = ("tests.learning.factories",)

N = len(CORPUS)


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[FakeEncoder]:
    """Every encoder the commands build (the real one is swapped for the fake)."""
    built: list[FakeEncoder] = []

    def build() -> FakeEncoder:
        built.append(FakeEncoder())
        return built[-1]

    monkeypatch.setattr(learning.runtime, "build_encoder", build)
    # the test process keeps its priority (lower_priority is tested on its own)
    monkeypatch.setattr(learning.runtime, "lower_priority", lambda niceness: None)
    return built


@pytest.fixture
def cspr(loads: list[FakeEncoder], data_dir: Path):
    app = typer.Typer()
    library_cli.register(app)
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, [str(arg) for arg in args])

    return invoke


@pytest.fixture
def ingested(cspr, corpus_dir: Path) -> Path:
    result = cspr("ingest", corpus_dir)
    assert result.exit_code == 0, result.output
    return corpus_dir


def test_ingest_prints_a_summary(cspr, corpus_dir: Path, data_dir: Path) -> None:
    result = cspr("ingest", corpus_dir)
    assert result.exit_code == 0, result.output
    assert f"{N} added, 0 updated, 0 unchanged, 0 removed, 0 failed" in result.stdout
    assert (data_dir / "index" / "manifest.json").exists()


def test_ingest_lists_failures_and_exits_1(cspr, corpus_dir: Path) -> None:
    (corpus_dir / "broken.pdf").write_bytes(b"not a pdf at all")
    result = cspr("ingest", corpus_dir, "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["added"] == N
    assert [Path(f["path"]).name for f in report["failed"]] == ["broken.pdf"]
    assert report["failed"][0]["reason"]
    text = cspr("ingest", corpus_dir)
    assert text.exit_code == 1
    assert "FAILED" in text.stdout and "broken.pdf" in text.stdout


def _briefing(title: str, front: str) -> str:
    return (
        f"---\n{front}---\n# {title}\n\nThe baby was seen by the health visitor twice and the "
        "mother's new partner was never asked about. Professionals did not share what they knew.\n"
    )


def test_unrecognised_metadata_is_a_warning_not_a_failure(cspr, tmp_path: Path) -> None:
    folder = tmp_path / "briefings"
    folder.mkdir()
    (folder / "a.md").write_text(_briefing("Child A", "outcome: other\nyear: 2021\n"))
    (folder / "b.md").write_text(_briefing("Child B", "outcome: Significant harm\nyear: abc\n"))
    (folder / "c.md").write_text(_briefing("Child C", "outcome: Serious harm\n"))
    (folder / "d.md").write_text(_briefing("Child D", "year: 2020\n"))
    result = cspr("ingest", folder, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["added"], report["failed"]) == (4, [])
    assert {(Path(w["path"]).name, w["warning"]) for w in report["warnings"]} == {
        ("b.md", "front matter: outcome 'Significant harm' is not one of death, serious_harm, "
         "other, near_miss; kept as 'significant_harm'"),
        ("b.md", "front matter: year 'abc' has no year; left unknown (e.g. 2021)"),
    }  # fmt: skip
    text = cspr("ingest", folder, "--rebuild")
    assert text.exit_code == 0 and "4 added" in text.stdout and "2 warnings" in text.stdout
    assert "WARNING" in text.stdout and "b.md" in text.stdout and "FAILED" not in text.stdout
    for value, titles in (
        ("other", ["Child A"]),
        ("significant harm", ["Child B"]),
        ("serious_harm", ["Child C"]),
        ("unknown", ["Child D"]),
    ):
        found = cspr(
            "search", "health visitor", "--reviews", "--json", "--filter", f"outcome={value}"
        )
        assert found.exit_code == 0, found.output
        assert [hit["title"] for hit in json.loads(found.stdout)] == titles
    typo = cspr("search", "health visitor", "--filter", "outcome=deth")
    assert typo.exit_code == 2
    assert (
        "outcome='deth' matches no review; the index holds: other, serious_harm, significant_harm"
        in typo.stderr
    )


def test_gone_files_are_named_with_the_way_to_drop_them(cspr, ingested: Path) -> None:
    (ingested / "r-neglect.md").unlink()
    result = cspr("ingest", ingested, "--json")
    assert [Path(p).name for p in json.loads(result.stdout)["missing"]] == ["r-neglect.md"]
    text = cspr("ingest", ingested)
    assert "1 indexed file(s) under the folders ingested no longer exist" in text.stdout
    assert "--remove-missing" in text.stdout


def test_progress_is_a_line_every_few_seconds_when_not_on_a_terminal(
    cspr, corpus_dir: Path
) -> None:
    result = cspr("ingest", corpus_dir)
    assert result.exit_code == 0
    assert f"ingest: {N}/{N} files, " in result.stderr and "files/s" in result.stderr


def test_control_characters_never_reach_the_terminal(cspr, tmp_path: Path) -> None:
    folder = tmp_path / "reviews"
    folder.mkdir()
    (folder / "evil\x1b[2Jname.pdf").write_bytes(b"not a pdf")
    result = cspr("ingest", folder)
    assert result.exit_code == 1
    assert "\x1b" not in result.stdout and "evil?[2Jname.pdf" in result.stdout


def test_an_ingest_runs_at_lower_priority() -> None:
    import subprocess
    import sys

    code = "import os, learning.runtime; learning.runtime.lower_priority(7); print(os.nice(0))"
    niceness = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert int(niceness) == 7


def test_reingest_and_remove_missing(cspr, ingested: Path) -> None:
    (ingested / "r-neglect.md").unlink()
    result = cspr("ingest", ingested, "--remove-missing", "--json")
    assert json.loads(result.stdout) | {"seconds": 0} == {
        "added": 0,
        "updated": 0,
        "unchanged": N - 1,
        "removed": 1,
        "failed": [],
        "warnings": [],
        "missing": [],
        "units_added": 0,
        "seconds": 0,
    }


def test_search_before_ingest_says_what_to_do(cspr) -> None:
    result = cspr("search", "bruising")
    assert result.exit_code == 2
    assert "run `cspr ingest PATH` first" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_search_json_passages(cspr, ingested: Path) -> None:
    result = cspr("search", "county lines exploitation", "--json", "--k", "3")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert len(hits) == 3
    top = hits[0]
    assert top["review_id"] == "r-exploitation"
    assert top["title"] == CORPUS["r-exploitation"]["meta"]["title"]
    assert top["year"] == 2018 and top["source"].endswith("r-exploitation.md")
    assert isinstance(top["score"], float)
    assert top["passages"][0]["text"] == top["text"]
    assert {"page", "section", "text"} <= set(top["passages"][0])


def test_search_json_reviews_with_filter(cspr, ingested: Path) -> None:
    result = cspr(
        "search",
        "baby",
        "--reviews",
        "--json",
        "--filter",
        "nation=england",
        "-f",
        "age_group=under_1",
    )
    assert result.exit_code == 0, result.output
    assert [hit["review_id"] for hit in json.loads(result.stdout)] == ["r-infant-bruising"]


def test_search_text_output_marks_results(cspr, ingested: Path) -> None:
    result = cspr("search", "safer sleep advice", "--k", "2")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("1. Baby B: sudden unexpected death in infancy (2021)")
    assert "r-safe-sleep" in result.stdout and "p. " in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("search", "baby", "--filter", "nation=france"), "nation='france' matches no review"),
        (("search", "baby", "--filter", "colour=red"), "unknown filter field 'colour'"),
        (("search", "  "), "the query is empty"),
        (("search",), "give QUERY"),
        (("similar",), "give --text TEXT or --file FILE"),
        (("similar", "--text", "a", "--file", "x"), "not both"),
    ],
)
def test_errors_are_one_line_and_exit_2(cspr, ingested: Path, args, message: str) -> None:
    result = cspr(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_batch_prints_one_json_array_per_line_with_one_model_load(
    cspr, ingested: Path, tmp_path: Path, loads: list[FakeEncoder]
) -> None:
    queries = tmp_path / "queries.txt"
    queries.write_text("county lines\n\nsafer sleep\nbruising protocol\n")
    loads.clear()
    result = cspr("search", "--batch", queries, "--k", "2")
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert [json.loads(line)[0]["review_id"] for line in lines] == [
        "r-exploitation",
        "r-safe-sleep",
        "r-infant-bruising",
    ]
    assert len(loads) == 1


def test_similar_from_text_and_file(cspr, ingested: Path, tmp_path: Path) -> None:
    by_text = cspr("similar", "--text", PRECIS, "--json", "--k", "2")
    assert by_text.exit_code == 0, by_text.output
    results = json.loads(by_text.stdout)
    assert results[0]["review_id"] == "r-infant-bruising"
    assert results[0]["passages"][0]["section"] in ("Findings", "Recommendations")
    precis = tmp_path / "precis.txt"
    precis.write_text(PRECIS)
    by_file = cspr("similar", "--file", precis, "--json", "--k", "2")
    assert json.loads(by_file.stdout) == results


def test_similar_batch(cspr, ingested: Path, tmp_path: Path) -> None:
    batch = tmp_path / "precis.txt"
    batch.write_text(PRECIS.replace("\n", " ") + "\nA teenager was stabbed after going missing.\n")
    result = cspr("similar", "--batch", batch, "--k", "1")
    lines = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert [line[0]["review_id"] for line in lines] == ["r-infant-bruising", "r-exploitation"]


def test_data_dir_option(cspr, tmp_path: Path) -> None:
    folder = tmp_path / "elsewhere"
    write_corpus(tmp_path / "few", ("r-neglect",))
    assert cspr("ingest", tmp_path / "few", "--data-dir", folder).exit_code == 0
    assert (folder / "index" / "manifest.json").exists()
    result = cspr("search", "neglect", "--data-dir", folder, "--json")
    assert json.loads(result.stdout)[0]["review_id"] == "r-neglect"


def test_mismatch_says_rebuild_and_rebuild_fixes_it(
    cspr, ingested: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(learning.runtime, "build_encoder", lambda: FakeEncoder(name="new-model"))
    result = cspr("search", "baby")
    assert result.exit_code == 2
    assert "run `cspr ingest --rebuild`" in result.stderr
    assert cspr("ingest", ingested, "--rebuild").exit_code == 0
    assert cspr("search", "baby").exit_code == 0


def test_search_by_a_theme_picked_from_the_taxonomy(cspr, ingested: Path) -> None:
    result = cspr("search", "what was recommended", "--theme", "exploitation_ehm", "--json")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert hits and all("passages" in hit for hit in hits)  # reviews, not passages
    unknown = cspr("search", "gangs", "--theme", "gangs")
    assert unknown.exit_code == 2
    assert "no theme 'gangs'; themes: nai_infancy" in unknown.stderr


def test_similar_cases_show_shared_themes(cspr, ingested: Path) -> None:
    result = cspr("similar", "--text", PRECIS, "--json", "--k", "3")
    assert result.exit_code == 0, result.output
    assert all(isinstance(hit["shared_themes"], list) for hit in json.loads(result.stdout))
