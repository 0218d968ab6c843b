"""The scale generator: deterministic per seed, exact passage counts, never inside corpus/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from benchmarks.scale_corpus import (
    CORPUS_DIR,
    NOTICE,
    CorpusPathRefused,
    SyntheticDocument,
    check_output_dir,
    generate_documents,
    generate_passages,
    main,
    write_documents,
)

_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
_PASSAGE_LINE = re.compile(r"^(\d+\.\d+|\d+\.) \S", re.MULTILINE)
_FINDING = re.compile(r"^### Finding \d+: .+\n\n\S", re.MULTILINE)


def _count_passages(document: SyntheticDocument) -> int:
    return len(_PASSAGE_LINE.findall(document.markdown)) + len(_FINDING.findall(document.markdown))


@pytest.mark.parametrize("n", [1, 2, 3, 7, 250, 1001])
def test_documents_hold_exactly_the_passages_asked_for(n: int) -> None:
    documents = list(generate_documents(n, seed=3))
    assert sum(d.passages for d in documents) == n
    assert sum(_count_passages(d) for d in documents) == n


def test_same_seed_same_documents_other_seed_other_documents() -> None:
    first = list(generate_documents(300, seed=11))
    assert list(generate_documents(300, seed=11)) == first
    assert [d.markdown for d in generate_documents(300, seed=12)] != [d.markdown for d in first]
    assert generate_passages(20, seed=5) == generate_passages(20, seed=5)
    assert generate_passages(20, seed=5) != generate_passages(20, seed=6)


def test_generated_passages_are_about_150_words() -> None:
    passages = generate_passages(300)
    assert len(passages) == 300
    words = [len(p.split()) for p in passages]
    assert 130 <= sum(words) / len(words) <= 170
    assert min(words) >= 60


def test_documents_parse_with_front_matter_headings_findings_and_recommendations() -> None:
    documents = list(generate_documents(500, seed=2))
    ids = [d.review_id for d in documents]
    assert len(set(ids)) == len(ids)
    for document in documents:
        match = _FRONT_MATTER.match(document.markdown)
        assert match, document.review_id
        meta = yaml.safe_load(match.group(1))
        assert meta == document.metadata
        assert meta["review_id"] == document.review_id
        assert isinstance(meta["age_group"], str)
        body = document.markdown[match.end() :].lstrip("\n")
        assert body.startswith(f"# {meta['title']}\n\n{NOTICE}")
        assert re.search(r"^## \d+\. .+$", body, re.MULTILINE)
        if document.passages >= 3:
            assert re.search(r"^## \d+\. Findings$", body, re.MULTILINE)
            assert re.search(r"^## \d+\. Recommendations\n\n1\. \S", body, re.MULTILINE)


@pytest.mark.parametrize(
    "relative",
    [".", "reviews", "src/sub", "reviews/../eval"],
)
def test_output_inside_the_demo_corpus_is_refused(relative: str) -> None:
    with pytest.raises(CorpusPathRefused, match="inside .*corpus"):
        check_output_dir(CORPUS_DIR / relative)


def test_cli_refuses_corpus_paths_and_writes_nothing(capsys) -> None:
    before = sorted(p.name for p in (CORPUS_DIR / "reviews").iterdir())
    code = main(["--passages", "10", "--out", str(CORPUS_DIR / "reviews" / "scale")])
    assert code == 2
    assert "refusing to write" in capsys.readouterr().err
    assert sorted(p.name for p in (CORPUS_DIR / "reviews").iterdir()) == before


@pytest.mark.parametrize("fmt", ["md", "txt"])
def test_write_documents_writes_one_file_per_document(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "scale"
    count, size = write_documents(120, out, seed=4, fmt=fmt)
    files = sorted(out.iterdir())
    assert len(files) == count == len(list(generate_documents(120, seed=4)))
    assert {f.suffix for f in files} == {f".{fmt}"}
    assert sum(f.stat().st_size for f in files) == size
    text = files[0].read_text(encoding="utf-8")
    assert text.startswith("---\nreview_id: ")
    assert ("## 1. " in text) == (fmt == "md")
