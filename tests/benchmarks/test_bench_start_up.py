"""The start-up benchmark's tables say what was measured (the run itself takes minutes and
starts the whole system: ``python -m benchmarks start_up``)."""

from __future__ import annotations

from benchmarks.bench_start_up import StartUp, tables


def test_the_tables_put_first_renders_side_by_side_and_flag_the_slow_ones() -> None:
    result = StartUp(
        app_answers=12.3, sign_in_rendered=13.0, library_done=240.5, library_documents=42,
        first_render={"Deadlines": 1.2, "Search": 6.1}, after_library={"Deadlines": 0.3},
        during_embedding=True, pages_opened=30.0,
    )  # fmt: skip

    start, pages = tables(result, " (after)")

    assert start.rows[0] == ("the app answers (health check)", "12.3")
    assert start.rows[-1] == ("the demo library has been embedded (42 reviews)", "240.5")
    assert "still embedding when the pages were first opened: yes" in start.notes
    assert pages.rows == (("Deadlines", "1.20", "0.30", "yes"), ("Search", "6.10", "-", "no"))
    assert pages.title.endswith(" (after)")
