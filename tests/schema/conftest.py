"""Fixtures for the schema tests: the live server and models in each library's style."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from rtkq import fetch_base_query
from rtkq._base_query import FetchBaseQuery

from ._app import app


@pytest.fixture
def base_url(live_server: Any) -> str:
    return str(live_server(app))


@pytest.fixture
async def bq(base_url: str) -> AsyncIterator[FetchBaseQuery]:
    async with fetch_base_query(base_url) as base_query:
        yield base_query
