"""User text shown through Streamlit's Markdown (issue 22, next in line): ``plain`` makes a name,
note or label render as written, never as a colour directive, link, image, emphasis, HTML,
LaTeX, emoji code or a list. Rendered here with markdown-it (CommonMark, as the browser's
renderer reads escapes) and checked on the app itself with a hostile display name."""

from __future__ import annotations

import html

import pytest
from markdown_it import MarkdownIt

from core.access import Viewer
from core.roles import Role
from tests.ui.conftest import NORTHSHIRE, AppFactory
from ui.widgets import plain

HOSTILE_NAME = ":red[x] [link](http://evil)"
RENDER = MarkdownIt("commonmark").enable(["table", "strikethrough"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (HOSTILE_NAME, r"\:red\[x\] \[link\](http\://evil)"),
        ("![img](http://e/x.png)", r"!\[img\](http\://e/x\.png)"),
        ("<b>bold</b> <script>x</script>", r"\<b\>bold\</b\> \<script\>x\</script\>"),
        ("$x^2$ and *em* _u_ `c` ~~s~~ a|b", r"\$x^2\$ and \*em\* \_u\_ \`c\` \~\~s\~\~ a\|b"),
        (":smile: :material/home:", r"\:smile: \:material/home:"),
        ("www.evil.example or a@b.example", r"www\.evil\.example or a\@b\.example"),
        ("- a list", r"\- a list"),
        ("1. a list", r"1\. a list"),
        ("# heading", r"\# heading"),
        ("> quote", r"\> quote"),
        ("A&E &lt;", r"A\&E \&lt;"),
        ("line one\n\n    indented\tcode", "line one indented code"),
        # what needs no escape is left as written, so refusals read (and are found) as before
        ("no case NSH-DEMO-004 that you can see", "no case NSH-DEMO-004 that you can see"),
        ("Not saved: event #7 (2026-01-06), done.", "Not saved: event #7 (2026-01-06), done."),
    ],
)  # fmt: skip
def test_plain_escapes_only_what_markdown_reads(text: str, expected: str) -> None:
    assert plain(text) == expected
    rendered = RENDER.render(plain(text)).strip()
    assert rendered == f"<p>{html.escape(' '.join(text.split()), quote=False)}</p>"


def test_a_hostile_display_name_is_shown_as_written(app: AppFactory) -> None:
    viewer = Viewer("pat.panel", Role.PANEL_MEMBER, NORTHSHIRE, HOSTILE_NAME)
    at = app(viewer)
    at.run()
    assert not at.exception
    [signed_in] = [c.value for c in at.sidebar.caption if c.value.startswith("Signed in as")]
    assert signed_in == (
        rf"Signed in as **\:red\[x\] \[link\](http\://evil)** (panel member · {NORTHSHIRE})"
    )
    rendered = RENDER.render(signed_in)
    assert "<a " not in rendered and HOSTILE_NAME in html.unescape(rendered)


# --- status labels: words and a shape every font has ---------------------------------------------

#: Shapes checked present in the Source Sans that Streamlit bundles (its cmap, read with
#: fontTools) and in DejaVu Sans: they draw in headless Chromium with no emoji font installed.
FONT_SHAPES = frozenset("▲△▼▽►◄●○■□◆▪▫✓✗–")
#: Emoji drawn from a colour emoji font (or as an empty box without one): the supplementary
#: planes, the presentation selector, and the BMP symbols whose default presentation is emoji.
_BMP_EMOJI = frozenset(
    "⌚⌛⏩⏪⏫⏬⏰⏳◽◾☔☕♈♉♊♋♌♍♎♏♐♑♒♓♿⚓⚡⚪⚫⚽⚾⛄⛅⛎⛔⛪⛲⛳⛵⛺⛽"
    "✅✊✋✨❌❎❓❔❕❗➕➖➗➰➿⬛⬜⭐⭕☑✔"
)


def _is_emoji(char: str) -> bool:
    return ord(char) >= 0x1F000 or char in _BMP_EMOJI or char == "\ufe0f"


def test_every_status_reads_as_words_and_a_shape_without_emoji() -> None:
    from review_flows.milestones import MilestoneStatus
    from ui.widgets import STATUS_LABELS, status_label

    assert set(STATUS_LABELS) == set(MilestoneStatus)
    for status in MilestoneStatus:
        shape, words = status_label(status).split(" ", 1)
        assert shape in FONT_SHAPES, status
        assert words == STATUS_LABELS[status][1] and words[0].isupper()
        assert not [char for char in status_label(status) if _is_emoji(char)], status
    assert status_label(MilestoneStatus.OVERDUE) == "▲ Overdue"
    assert status_label(None) == "-"
    # the words alone tell every status apart
    assert len({words for _, words in STATUS_LABELS.values()}) == len(MilestoneStatus)
