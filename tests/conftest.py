"""Fixtures shared across the test suite."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import settings

from tests.support.bundled_app import published  # noqa: F401 - a fixture
from tests.support.httpserver import LocalHTTPServer
from tests.support.stores import open_store, pg_dsn, pg_schema_dsn  # noqa: F401 - fixtures

# Property tests check arithmetic, not speed: a loaded CI machine must not fail them on time.
settings.register_profile("lishi", deadline=None)
settings.load_profile("lishi")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Collect garbage before a failure is formatted.

    pytest reads a failing test's source with ``ast.parse``. On CPython 3.11 the parser's
    recursion count is shared, so a finalizer that parses too, run by the collector in the
    middle of it (asyncio logging an exception that was never retrieved, with its
    traceback), makes it raise "AST constructor recursion depth mismatch": an
    INTERNALERROR that hides the failure and ends the run.
    """
    if call.excinfo is not None and not call.excinfo.errisinstance(pytest.skip.Exception):
        gc.collect()
    return (yield)


@pytest.fixture
def http_server() -> Iterator[LocalHTTPServer]:
    """A real HTTP server on 127.0.0.1, stopped after the test."""
    with LocalHTTPServer() as server:
        yield server
