"""Fixtures shared across the test suite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import settings

from tests.support.httpserver import LocalHTTPServer
from tests.support.stores import open_store, pg_dsn, pg_schema_dsn  # noqa: F401 - fixtures

# Property tests check arithmetic, not speed: a loaded CI machine must not fail them on time.
settings.register_profile("lishi", deadline=None)
settings.load_profile("lishi")


@pytest.fixture
def http_server() -> Iterator[LocalHTTPServer]:
    """A real HTTP server on 127.0.0.1, stopped after the test."""
    with LocalHTTPServer() as server:
        yield server
