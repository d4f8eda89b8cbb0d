"""Shared pieces of the persistence tests: an api over an in-process base query."""

from __future__ import annotations

from typing import Any

from rtkq import configure_store, create_api


class Backend:
    """An in-process base query that records what it was asked."""

    def __init__(self) -> None:
        self.calls: list[Any] = []
        self.fail_with: Any = None

    async def __call__(self, args: Any, api: Any, extra_options: Any) -> Any:
        self.calls.append(args)
        if self.fail_with is not None:
            return {"error": self.fail_with}
        if isinstance(args, dict):
            return {"data": {"saved": args.get("body")}}
        return {"data": {"path": args, "title": f"title of {args}"}}


def make_api(backend: Backend, **options: Any) -> Any:
    return create_api(
        base_query=backend,
        tag_types=["Post"],
        endpoints=lambda build: {
            "get_post": build.query(
                query=lambda id: f"posts/{id}",
                provides_tags=lambda result, error, id: [{"type": "Post", "id": id}],
            ),
            "add_post": build.mutation(
                query=lambda body: {"url": "posts", "method": "POST", "body": body},
            ),
        },
        **options,
    )


def make_store(api: Any) -> Any:
    return configure_store({api.reducer_path: api.reducer}, middleware=[api.middleware])


def queries(store: Any, api: Any) -> Any:
    return store.get_state()[api.reducer_path]["queries"]


def mutations(store: Any, api: Any) -> list[Any]:
    found = store.get_state()[api.reducer_path]["mutations"].values()
    return sorted(
        found, key=lambda entry: (entry.started_at, int(entry.request_id.rpartition("-")[2]))
    )
