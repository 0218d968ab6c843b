"""Reviews uploaded on the Library page: safe names, a batch folder, who may upload."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from core.access import Viewer
from core.roles import Role
from learning.uploads import (
    UploadNotAllowed,
    may_upload,
    safe_file_name,
    save_uploads,
)
from tests.learning.factories import CORPUS, review_markdown

NOW = dt.datetime(2026, 3, 31, 9, 30, 5, tzinfo=dt.UTC)
REVIEWER = Viewer("rita", Role.REVIEWER)
ANALYST = Viewer("ana", Role.ANALYST)
ADMIN = Viewer("ada", Role.ADMIN)
PANEL = Viewer("pat", Role.PANEL_MEMBER, partnership="Northshire")
GARBAGE_PDF = b"garbage bytes, not a PDF \x00\x01\x02"


def _markdown(review_id: str) -> bytes:
    return review_markdown(review_id, CORPUS[review_id]).encode()


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("child-a.pdf", "child-a.pdf"),
        ("Child A review (final).PDF", "Child-A-review-final.pdf"),
        ("../../etc/passwd.md", "passwd.md"),
        ("C:\\Users\\me\\Desktop\\review.docx", "review.docx"),
        (".hidden.md", "hidden.md"),
        ("rapport d'examen é.html", "rapport-d-examen-e.html"),
        ("résumé.txt", "resume.txt"),
        ("子供.pdf", "review.pdf"),
        ("", "review"),
        ("noextension", "noextension"),
        ("a" * 300 + ".pdf", "a" * 80 + ".pdf"),
        ("review.p$d%f", "review.pdf"),
    ],
)
def test_safe_file_name(name: str, safe: str) -> None:
    assert safe_file_name(name) == safe


@pytest.mark.parametrize(
    ("viewer", "allowed"), [(ADMIN, True), (REVIEWER, True), (ANALYST, True), (PANEL, False)]
)
def test_who_may_upload(viewer: Viewer, allowed: bool) -> None:
    assert may_upload(viewer) is allowed


def test_uploads_are_saved_in_a_batch_folder_under_distinct_safe_names(tmp_path: Path) -> None:
    files = [("a.md", b"one"), ("sub/a.md", b"two"), ("A.md", b"three"), ("b.txt", b"four")]

    saved = save_uploads(REVIEWER, files, tmp_path / "uploads", now=NOW)

    assert saved.folder == tmp_path / "uploads" / "20260331T093005Z"
    assert [(path.name, name) for path, name in saved.saved] == [
        ("a.md", "a.md"),
        ("a-2.md", "sub/a.md"),
        ("A-3.md", "A.md"),
        ("b.txt", "b.txt"),
    ]
    assert [path.read_bytes() for path in saved.paths] == [b"one", b"two", b"three", b"four"]
    assert saved.refused == ()


def test_a_second_batch_in_the_same_second_gets_its_own_folder(tmp_path: Path) -> None:
    first = save_uploads(ADMIN, [("a.md", b"x")], tmp_path, now=NOW)
    second = save_uploads(ADMIN, [("a.md", b"y")], tmp_path, now=NOW)
    assert (first.folder.name, second.folder.name) == ("20260331T093005Z", "20260331T093005Z-2")
    assert first.paths[0].read_bytes() == b"x"


def test_a_file_of_another_format_or_too_large_is_refused_and_not_saved(tmp_path: Path) -> None:
    files = [("tool.exe", b"MZ"), ("big.pdf", b"%PDF" + b"x" * 2000), ("ok.md", b"# Fine")]

    saved = save_uploads(ANALYST, files, tmp_path, now=NOW, max_bytes=1024)

    assert [path.name for path in saved.paths] == ["ok.md"]
    assert [name for name, _ in saved.refused] == ["tool.exe", "big.pdf"]
    assert "upload PDF, Word (.docx), HTML, Markdown or text" in saved.refused[0][1]
    assert "larger than the 0 MB limit (CSPR_MAX_DOCUMENT_MB)" in saved.refused[1][1]
    assert sorted(path.name for path in saved.folder.iterdir()) == ["ok.md"]


def test_a_panel_member_can_neither_save_nor_ingest(tmp_path: Path) -> None:
    with pytest.raises(UploadNotAllowed, match="a panel member cannot add reviews"):
        save_uploads(PANEL, [("a.md", b"x")], tmp_path / "uploads", now=NOW)
    assert not (tmp_path / "uploads").exists() and not (tmp_path / "index").exists()
