"""Chart labels cut to a length stay told apart (issue 23, item 8: two readings of the rapid
review's clock both read "Rapid review sent to the Pa..." on the Deadlines chart)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ui.widgets import short_labels

AWARENESS = "Rapid review sent to the Panel (clock from awareness)"
NOTIFICATION = "Rapid review sent to the Panel (clock from the notification)"


def test_labels_alike_at_the_cut_keep_the_words_where_they_differ() -> None:
    short = short_labels([AWARENESS, NOTIFICATION, "Report kept online"], limit=38)

    assert short == {
        AWARENESS: "Rapid review sent to the \u2026 awareness)",
        NOTIFICATION: "Rapid review sent \u2026 the notification)",
        "Report kept online": "Report kept online",
    }


def test_a_long_label_alone_is_cut_at_the_limit() -> None:
    label = "Copy sent to Ofsted, the DfE and the national panel before publication"
    assert short_labels([label], limit=38) == {label: "Copy sent to Ofsted, the DfE and the\u2026"}


@given(st.lists(st.text(min_size=1, max_size=90), max_size=12), st.integers(20, 60))
def test_short_labels_are_distinct_and_within_the_limit(labels: list[str], limit: int) -> None:
    short = short_labels(labels, limit=limit)

    assert set(short) == set(labels)
    assert len(set(short.values())) == len(short)
    assert all(len(cut) <= limit for cut in short.values())
