"""What careless and hostile users feed the ingest: each file's harm stays with that file, the
run goes on, nothing escapes the folder or the memory budget, and every refusal says why.
(Clashing review ids, crashes and concurrent writers are in test_ingest.py and
test_ingest_crashes.py.)"""

from __future__ import annotations

import json
import os
import resource
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learning.encoder import FakeEncoder
from learning.errors import DocumentFailed
from learning.extract import declared_review_id, extract_document
from learning.extract.html import read_html
from learning.extract.markdown import normalise_markdown
from learning.extract.text import split_front_matter
from learning.index import open_index
from learning.ingest import ingest_paths
from learning.reader import DocumentReader
from learning.sources import find_documents
from learning.structure import split_units
from tests.learning.factories import CORPUS, write_corpus

# slow: starts, times out and kills reader processes
# (`make test-fast` leaves it to `make test`)
pytestmark = pytest.mark.slow

pytest_plugins = ("tests.learning.factories",)

N = len(CORPUS)
GOOD = "The health visitor saw the baby at home and nobody asked who else lived there."


def _billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "---\n" + "\n".join(lines) + "\ntitle: *j\n---\n# Laughs\n\n" + GOOD + "\n"


def _deep_html(depth: int) -> str:
    return (
        "<html><body><h1>Deep review</h1>"
        + "<div>" * depth
        + f"<p>{GOOD}</p>"
        + "</div>" * depth
        + "<p>After the nesting.</p></body></html>"
    )


def _units(index_dir: Path, review_id: str) -> list:
    index = open_index(index_dir)
    try:
        return index.store.units_of_review(review_id)
    finally:
        index.close()


def test_one_bad_file_never_costs_the_run(tmp_path: Path) -> None:
    folder = tmp_path / "reviews"
    write_corpus(folder)
    (folder / "laughs.md").write_text(_billion_laughs())
    (folder / "deep.html").write_text(_deep_html(3000))
    (folder / "blob.txt").write_text("Title\n\n" + GOOD + " " + "A" * 2_000_000 + "\n")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog")
    (folder / "utf16.md").write_bytes(f"# Wide review\n\n{GOOD}\n".encode("utf-16-le"))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report = ingest_paths([folder], tmp_path / "index", FakeEncoder())
    # the parent's peak memory hardly moved (each document is read in the child)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KB
    assert report.added == N + 4
    assert [path.name for path, _ in report.failed] == ["broken.pdf"]
    warnings = {path.name: text for path, text in report.warnings}
    assert "uses an alias (*name)" in warnings["laughs.md"]
    assert "dropped 1 run(s) of 2,000,000 characters" in warnings["blob.txt"]
    index_dir = tmp_path / "index"
    assert any("After the nesting" in unit.text for unit in _units(index_dir, "deep"))
    assert any("health visitor" in unit.text for unit in _units(index_dir, "utf16"))


def test_no_unit_exceeds_the_passage_limit_whatever_the_spacing(tmp_path: Path) -> None:
    path = tmp_path / "dense.md"
    spaced = " ".join("x" * 90 for _ in range(400))  # long "words" under the junk limit
    path.write_text(f"# Dense\n\n{GOOD} {spaced} {'y' * 999}\n")
    units = split_units(extract_document(path))
    assert len(units) > 1
    assert max(len(unit.text) for unit in units) <= 180 * 20


def test_search_output_is_bounded_whatever_the_units_hold(tmp_path: Path, cspr_search) -> None:
    folder = tmp_path / "reviews"
    folder.mkdir()
    (folder / "junk.txt").write_text("Title\n\n" + ("B" * 999 + " ") * 1_000)  # 1 MB
    out = cspr_search(folder, "BBBB", "--k", "5", "--json")
    assert len(out) < 100_000


@pytest.fixture
def cspr_search(monkeypatch: pytest.MonkeyPatch, data_dir: Path):
    import typer
    from typer.testing import CliRunner

    import cspr.cli.library
    import learning.runtime

    monkeypatch.setattr(learning.runtime, "build_encoder", FakeEncoder)
    monkeypatch.setattr(learning.runtime, "lower_priority", lambda niceness: None)
    app = typer.Typer()
    cspr.cli.library.register(app)

    def run(folder: Path, *args: str) -> str:
        runner = CliRunner()
        assert runner.invoke(app, ["ingest", str(folder)]).exit_code == 0
        result = runner.invoke(app, ["search", *args])
        assert result.exit_code == 0, result.output
        return result.stdout

    return run


def test_links_are_followed_only_inside_the_folder(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.txt").write_text("Secret\n\nNot part of the corpus.\n")
    folder = tmp_path / "reviews"
    folder.mkdir()
    (folder / "real.md").write_text(f"# Real\n\n{GOOD}\n")
    (folder / "alias.md").symlink_to(folder / "real.md")  # inside: the same file, once
    (folder / "innocent.txt").symlink_to(outside / "secret.txt")
    (folder / "passwd").symlink_to("/etc/passwd")
    (folder / "dangling.md").symlink_to(folder / "nowhere.md")
    (folder / "loop.md").symlink_to(folder / "loop.md")
    (folder / "sub").symlink_to(outside, target_is_directory=True)
    files, skipped = find_documents([folder])
    assert files == [(folder / "real.md").resolve()]
    reasons = {path.name: reason for path, reason in skipped}
    assert reasons == {
        "innocent.txt": "a link to a file outside the folder: not followed",
        "passwd": "a link to a file outside the folder: not followed",
        "dangling.md": "a broken link (its target is missing, or it loops): not followed",
        "loop.md": "a broken link (its target is missing, or it loops): not followed",
        "sub": "a link to a folder: not followed (list the folder itself to ingest it)",
    }
    report = ingest_paths([folder], tmp_path / "index", FakeEncoder())
    assert report.added == 1 and len(report.failed) == 5
    assert {path.name for path, _ in report.failed} == set(reasons)  # the link, not its target


@pytest.mark.parametrize(
    ("front", "review_id", "warning"),
    [
        ("review_id: ../../etc/x", "brief", "'../../etc/x' is not a safe id"),
        ("review_id: a/b", "brief", "'a/b' is not a safe id"),
        ("review_id: " + "x" * 300, "brief", "up to 120 characters"),
        ("review_id: good-id_2.1", "good-id_2.1", None),
        ("year: 3000", "brief", "year 3000 is not a plausible publication year"),
    ],
)
def test_unsafe_ids_and_impossible_years(
    tmp_path: Path, front: str, review_id: str, warning: str | None
) -> None:
    path = tmp_path / "brief.md"
    path.write_text(f"---\n{front}\n---\n# Brief\n\n{GOOD}\n")
    document = extract_document(path)
    assert document.metadata.review_id == review_id == declared_review_id(path)
    if warning is None:
        assert document.warnings == ()
    else:
        assert any(warning in text for text in document.warnings)


def test_unterminated_front_matter_is_read_as_text_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "open.md"
    path.write_text(f"---\ntitle: Never closed\n\n# Brief\n\n{GOOD}\n")
    document = extract_document(path)
    assert GOOD in document.pages[0].text
    assert any("never closed" in text for text in document.warnings)


def test_the_reader_stops_a_document_that_takes_too_long_and_carries_on(tmp_path: Path) -> None:
    slow = tmp_path / "slow.txt"
    slow.write_text(
        ("The child was seen at home by the health visitor today. " * 20 + "\n\n") * 4000
    )
    good = tmp_path / "good.md"
    good.write_text(f"# Good\n\n{GOOD}\n")
    # reading it takes about 8 s on an idle machine; 5 s leaves the good file's fresh reader
    # (a new process) time to start while other test workers hold the cores
    reader = DocumentReader(seconds=5)
    try:
        with pytest.raises(DocumentFailed, match=r"took over 5 s and was stopped"):
            reader.read(slow)
        document, units = reader.read(good)
        assert document.metadata.title == "Good" and units
    finally:
        reader.close()


def test_a_reader_killed_mid_document_fails_that_document_only(tmp_path: Path) -> None:
    slow = tmp_path / "slow.txt"
    slow.write_text(
        ("The child was seen at home by the health visitor today. " * 20 + "\n\n") * 4000
    )
    good = tmp_path / "good.md"
    good.write_text(f"# Good\n\n{GOOD}\n")
    reader = DocumentReader()
    try:
        reader.read(good)  # the child is up
        pids = [p.pid for p in reader._executor()._processes.values()]  # noqa: SLF001
        killer = threading.Timer(1.0, lambda: [os.kill(pid, 9) for pid in pids])
        killer.start()
        with pytest.raises(DocumentFailed, match="the reader process died while reading it"):
            reader.read(slow)
        assert reader.read(good)[1]
    finally:
        reader.close()


def test_the_reader_caps_its_childs_memory(tmp_path: Path) -> None:
    reader = DocumentReader(memory_mb=300)
    try:
        limits = reader._executor().submit(resource.getrlimit, resource.RLIMIT_AS).result()  # noqa: SLF001
        assert limits == (300 * 1024 * 1024, 300 * 1024 * 1024)
    finally:
        reader.close()


# -- properties ---------------------------------------------------------------------------------

_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=400)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_TEXT, _TEXT.map(lambda body: "---\n" + body)))
def test_front_matter_reader_never_raises(text: str) -> None:
    front = split_front_matter(text)
    assert isinstance(front.values, dict)
    assert front.body in text or front.body == text


@settings(max_examples=150, deadline=None)
@given(_TEXT)
def test_markdown_reader_never_raises_and_keeps_words(text: str) -> None:
    normalised = normalise_markdown(text)
    assert isinstance(normalised, str)


@settings(max_examples=100, deadline=None)
@given(
    st.recursive(_TEXT, lambda inner: st.builds(lambda t: f"<div>{t}</div>", inner), max_leaves=20)
)
def test_html_reader_never_raises(html: str) -> None:
    assert isinstance(read_html(f"<html><body>{html}</body></html>"), str)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(_TEXT)
def test_text_files_of_any_content_extract_or_are_refused_by_name(
    tmp_path: Path, text: str
) -> None:
    from learning.errors import UnreadableDocument

    path = tmp_path / "any.txt"
    path.write_text(text, encoding="utf-8")
    try:
        document = extract_document(path)
    except UnreadableDocument as refused:
        assert refused.reason
        return
    assert split_units(document) is not None


def test_json_report_of_a_hostile_run_is_valid(tmp_path: Path) -> None:
    folder = tmp_path / "reviews"
    folder.mkdir()
    (folder / "laughs.md").write_text(_billion_laughs())
    report = ingest_paths([folder], tmp_path / "index", FakeEncoder())
    assert json.loads(json.dumps(report.to_dict()))["added"] == 1


def test_a_failure_while_reading_declared_ids_costs_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import learning.extract

    def broken(*args: object, **kwargs: object) -> None:
        raise PermissionError("a sidecar nobody may read")

    monkeypatch.setattr(learning.extract, "read_metadata_with_warnings", broken)
    path = tmp_path / "r-brief.md"
    path.write_text(f"# Brief\n\n{GOOD}\n")
    assert declared_review_id(path) == "r-brief"
