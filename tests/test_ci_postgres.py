"""Under ``CI=true`` the PostgreSQL tests may not skip: no server, or one that does not answer,
fails the run with how to start one (tests/conftest.py). Elsewhere they skip, saying why."""

from __future__ import annotations

import os

import pytest

pytest_plugins = ["pytester"]

START = 'eval "$(scripts/test-postgres start)"'
TESTS = """
import os

import pytest


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("CSPR_TEST_POSTGRES_URL"), reason="no PostgreSQL")
def test_on_postgres():
    pass


def test_anywhere():
    pass
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    """A tiny suite with one PostgreSQL test, run with the hook of tests/conftest.py."""
    pytester.makeini("[pytest]\nmarkers =\n    postgres: needs a PostgreSQL server\n")
    pytester.makepyfile(test_suite=TESTS)
    return pytester


def _run(suite: pytest.Pytester, *args: str) -> pytest.RunResult:
    return suite.runpytest("-p", "tests.conftest", *args)


@pytest.mark.parametrize(
    ("ci", "url", "reason"),
    [
        ("true", None, "CSPR_TEST_POSTGRES_URL is not set"),
        ("TRUE", "", "CSPR_TEST_POSTGRES_URL is not set"),
        (
            "true",
            "postgresql+psycopg://postgres@127.0.0.1:9/postgres",
            "the server at postgresql+psycopg://postgres@127.0.0.1:9/postgres does not answer",
        ),
        (
            "true",
            "sqlite:///ci.db",
            "CSPR_TEST_POSTGRES_URL (sqlite:///ci.db) is not a PostgreSQL URL",
        ),
        ("true", "not a url", "CSPR_TEST_POSTGRES_URL is not a database URL"),
    ],
    ids=["unset", "empty-uppercase-ci", "unreachable", "not-postgres", "garbage"],
)
def test_under_ci_a_missing_postgres_fails_the_run(
    suite: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    ci: str,
    url: str | None,
    reason: str,
) -> None:
    monkeypatch.setenv("CI", ci)
    if url is None:
        monkeypatch.delenv("CSPR_TEST_POSTGRES_URL", raising=False)
    else:
        monkeypatch.setenv("CSPR_TEST_POSTGRES_URL", url)
    result = _run(suite)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    output = result.stdout.str()
    assert "CI=true and the PostgreSQL tests cannot run: " + reason in output
    assert START in output
    assert "passed" not in output and "skipped" not in output  # nothing ran


@pytest.mark.parametrize("ci", ["", "false", "1"], ids=["unset", "false", "one"])
def test_outside_ci_the_postgres_tests_skip_saying_why(
    suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ci: str
) -> None:
    monkeypatch.setenv("CI", ci)
    monkeypatch.delenv("CSPR_TEST_POSTGRES_URL", raising=False)
    result = _run(suite, "-rs")
    assert result.ret == pytest.ExitCode.OK
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["SKIPPED * no PostgreSQL"])


def test_under_ci_a_run_without_postgres_tests_needs_no_server(
    suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    monkeypatch.delenv("CSPR_TEST_POSTGRES_URL", raising=False)
    result = _run(suite, "-m", "not postgres")
    assert result.ret == pytest.ExitCode.OK
    result.assert_outcomes(passed=1, deselected=1)


@pytest.mark.postgres
@pytest.mark.skipif(
    not os.environ.get("CSPR_TEST_POSTGRES_URL"),
    reason="CSPR_TEST_POSTGRES_URL is not set; start a throwaway server with " + START,
)
def test_under_ci_a_server_that_answers_lets_the_run_go_on(
    suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    result = _run(suite)
    assert result.ret == pytest.ExitCode.OK
    result.assert_outcomes(passed=2)
