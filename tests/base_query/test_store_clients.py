"""The HTTP clients fetch_base_query makes for a store close with the store."""

from __future__ import annotations

from typing import Any

import httpx

from rtkq import Store, configure_store, create_api, fetch_base_query
from rtkq._base_query import FetchBaseQuery

from ._fakes import make_api


def _api(base_query: Any) -> Any:
    return create_api(
        base_query=base_query,
        endpoints=lambda build: {"echo": build.query(query=lambda path: path)},
    )


def _store(api: Any) -> Store:
    return configure_store({api.reducer_path: api.reducer}, middleware=[api.middleware])


def _store_clients(bq: FetchBaseQuery) -> list[httpx.AsyncClient]:
    return [client for client, _ in bq._store_clients.values()]


async def test_each_store_gets_a_client_that_closes_with_it(base_url: str) -> None:
    bq = fetch_base_query(base_url)
    api = _api(bq)
    first, second = _store(api), _store(api)
    assert (await first.dispatch(api.endpoints.echo.initiate("echo"))).is_success
    assert (await second.dispatch(api.endpoints.echo.initiate("echo?n=2"))).is_success
    clients = _store_clients(bq)
    assert len(clients) == 2 and not any(client.is_closed for client in clients)
    assert bq.client is None  # requests of a store never use the per-loop client

    await first.aclose()
    assert [client.is_closed for client in clients] == [True, False]
    again = await second.dispatch(api.endpoints.echo.initiate("echo?n=3"))
    assert again.data["query"] == [["n", "3"]]  # the other store's client still works

    await second.aclose()
    assert all(client.is_closed for client in clients)
    assert _store_clients(bq) == []


async def test_a_client_passed_in_is_never_closed(base_url: str) -> None:
    async with httpx.AsyncClient() as client:
        api = _api(fetch_base_query(base_url, client=client))
        async with _store(api) as store:
            assert (await store.dispatch(api.endpoints.echo.initiate("echo"))).is_success
        assert not client.is_closed
        response = await client.get(f"{base_url}/echo")
        assert response.status_code == 200


async def test_a_wrapping_base_query_passing_api_on_gets_the_store_client(base_url: str) -> None:
    bq = fetch_base_query(base_url)

    async def with_header(args: Any, api: Any, extra: Any) -> Any:
        return await bq({"url": args, "headers": {"x-wrapped": "1"}}, api, extra)

    api = _api(with_header)
    store = _store(api)
    state = await store.dispatch(api.endpoints.echo.initiate("echo"))
    assert state.data["headers"]["x-wrapped"] == "1"
    (client,) = _store_clients(bq)
    await store.aclose()
    assert client.is_closed


async def test_base_query_aclose_closes_store_clients_too(base_url: str) -> None:
    bq = fetch_base_query(base_url)
    api = _api(bq)
    store = _store(api)
    await store.dispatch(api.endpoints.echo.initiate("echo"))
    await bq("echo", make_api())  # a direct call: the per-loop client
    clients = [*_store_clients(bq), bq.client]
    await bq.aclose()
    assert all(client is not None and client.is_closed for client in clients)
    # The store's next request opens a new client, which the store still closes.
    assert (await store.dispatch(api.endpoints.echo.initiate("echo?again=1"))).is_success
    (reopened,) = _store_clients(bq)
    assert reopened not in clients
    await store.aclose()
    assert reopened.is_closed
