"""``api.util``: cache updates, invalidation, prefetching and cache queries."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .._draft import apply_patches, produce_with_patches
from .._freeze import freeze
from .._schema import revalidate
from .._store._action import Action
from .._types import lookup
from ._clock import epoch_now
from ._handles import MutationHandle, QueryHandle
from ._infinite import check_pages, paging_flags
from ._patch_collection import PatchCollection
from ._runtime import Runtime, new_request_id
from ._tags import keys_for_tags, normalize_tag, provided_tags_of, tags_for
from ._types import QueryState, QueryStatus, Tag

if TYPE_CHECKING:
    import asyncio

    from ._create_api import Api
    from ._endpoints import Endpoint, Thunk

__all__ = ["ApiUtil"]

# endpoint, its provided tags, is infinite
_UpsertPlan = tuple["Endpoint[Any, Any]", Callable[[Any, Any], tuple[Tag, ...]], bool]


def _has_data(entry: Any) -> bool:
    """Whether a cache update may touch ``entry``: it exists and has loaded data once."""
    if entry is None or entry.status is QueryStatus.UNINITIALIZED:
        return False
    return entry.fulfilled_at is not None or entry.data is not None


class _UpsertHandle(QueryHandle[Any]):
    """What ``upsert_query_data`` returns: awaiting it gives the entry right after the
    upsert, without waiting for a request that is in flight for the same entry."""

    async def _settled(self) -> QueryState[Any]:
        return self._runtime.select_entry(self.query_cache_key, self._endpoint.name)


class ApiUtil:
    """Utilities bound to one api (``api.util``)."""

    def __init__(self, api: Api) -> None:
        self._api = api
        self._upsert_plans: dict[str, _UpsertPlan] = {}

    # -- helpers -----------------------------------------------------------------
    def _endpoint(self, endpoint_name: str) -> Endpoint[Any, Any]:
        endpoint: Endpoint[Any, Any] = self._api.endpoints[endpoint_name]
        return endpoint

    def _slice(self, state: Any) -> Any:
        try:
            return state[self._api.reducer_path]
        except (KeyError, TypeError):
            raise RuntimeError(
                f"No api state under {self._api.reducer_path!r}: pass the root state of a "
                "store that has api.reducer mounted there."
            ) from None

    def _tags(self, tags: Any, where: str) -> tuple[Tag, ...]:
        if isinstance(tags, (str, Tag, Mapping)):
            tags = [tags]
        return tuple(
            normalize_tag(tag, self._api.tag_types, where) for tag in tags if tag is not None
        )

    def _provided(self, endpoint: Endpoint, data: Any, arg: Any) -> tuple[Tag, ...]:
        return tags_for(self._api, endpoint.definition, data, None, arg, endpoint.name)

    def _upsert_plan(self, endpoint_name: str) -> _UpsertPlan:
        """What ``upsert_query_entries`` reads of one endpoint, kept while the endpoint
        stays (``inject_endpoints`` may replace it)."""
        api = self._api
        kept = self._upsert_plans.get(endpoint_name)
        if kept is not None and kept[0] is api.endpoints._get(endpoint_name):
            return kept
        endpoint = self._endpoint(endpoint_name)
        definition = endpoint.definition
        plan = (endpoint, provided_tags_of(api, definition, endpoint.name), definition.is_infinite)
        self._upsert_plans[endpoint_name] = plan
        return plan

    # -- invalidation ------------------------------------------------------------
    def invalidate_tags(self, tags: Iterable[Any]) -> Action:
        """An action that invalidates every entry providing one of ``tags``.

        Subscribed entries refetch; entries without subscribers are removed.

        Raises:
            ValueError: a tag type not in ``tag_types``.
            TypeError: a tag that is not a str, dict or ``Tag``.
        """
        return Action(self._api.action_types.invalidate_tags, self._tags(tags, "invalidate_tags"))

    def select_invalidated_by(self, state: Any, tags: Iterable[Any]) -> list[dict[str, Any]]:
        """The entries ``tags`` would invalidate: ``{endpoint_name, original_args, query_cache_key}``."""
        api_state = self._slice(state)
        queries = api_state["queries"]
        found = []
        for key in keys_for_tags(api_state["provided"], self._tags(tags, "select_invalidated_by")):
            entry = lookup(queries, key)
            if entry is not None:
                found.append(
                    {
                        "endpoint_name": entry.endpoint_name,
                        "original_args": entry.original_args,
                        "query_cache_key": key,
                    }
                )
        return found

    def invalidate_queries(
        self,
        endpoint_name: str | None = None,
        *,
        arg: Any = None,
        predicate: Callable[[Any], bool] | None = None,
    ) -> Thunk[list[str]]:
        """A thunk invalidating entries by endpoint, arg prefix and/or predicate (TanStack style).

        A dict ``arg`` matches an entry whose arg contains every given key with an equal
        value; another ``arg`` matches by equality. Like ``invalidate_tags`` it waits while
        requests run under ``invalidation_behavior="delayed"``. Returns the matched cache keys.

        Raises:
            KeyError: an unknown ``endpoint_name``.
        """
        if endpoint_name is not None:
            self._endpoint(endpoint_name)
        wanted = freeze(arg)

        def matches(entry: Any) -> bool:
            if endpoint_name is not None and entry.endpoint_name != endpoint_name:
                return False
            if wanted is not None:
                actual = entry.original_args
                if isinstance(wanted, Mapping):
                    if not isinstance(actual, Mapping):
                        return False
                    if any(k not in actual or actual[k] != v for k, v in wanted.items()):
                        return False
                elif actual != wanted:
                    return False
            return predicate is None or bool(predicate(entry))

        def thunk(
            dispatch: Callable[[Any], Any], get_state: Callable[[], Any], extra: Any
        ) -> list[str]:
            runtime = self._api.runtime_for(dispatch)
            queries = runtime.slice_state()["queries"]
            keys = [key for key, entry in queries.items() if matches(entry)]
            runtime.invalidate_keys(keys, now=False)
            return keys

        return thunk

    # -- cache queries -----------------------------------------------------------
    def select_cached_args_for_query(self, state: Any, endpoint_name: str) -> list[Any]:
        """The args of every cached entry of ``endpoint_name`` (uninitialized ones excluded)."""
        self._endpoint(endpoint_name)
        return [
            entry.original_args
            for entry in self._slice(state)["queries"].values()
            if entry.endpoint_name == endpoint_name
            and entry.status is not QueryStatus.UNINITIALIZED
        ]

    def select_mutations(
        self,
        state: Any,
        endpoint_name: str | None = None,
        *,
        status: QueryStatus | str | None = None,
        predicate: Callable[[Any], bool] | None = None,
    ) -> list[Any]:
        """The tracked mutations' states, oldest first (TanStack's ``useMutationState``).

        Filter by ``endpoint_name``, ``status`` (a :class:`QueryStatus` or its value) and
        ``predicate(mutation_state)``.

        Raises:
            KeyError: an unknown ``endpoint_name``.
            ValueError: an unknown ``status``.
        """
        if endpoint_name is not None:
            self._endpoint(endpoint_name)
        wanted = QueryStatus(status) if status is not None else None
        found = [
            entry
            for entry in self._slice(state)["mutations"].values()
            if (endpoint_name is None or entry.endpoint_name == endpoint_name)
            and (wanted is None or entry.status is wanted)
            and (predicate is None or predicate(entry))
        ]
        found.sort(key=lambda entry: entry.started_at or 0.0)
        return found

    def is_mutating(
        self,
        state: Any,
        endpoint_name: str | None = None,
        *,
        predicate: Callable[[Any], bool] | None = None,
    ) -> int:
        """How many tracked mutations are pending (paused ones included)."""
        return len(
            self.select_mutations(
                state, endpoint_name, status=QueryStatus.PENDING, predicate=predicate
            )
        )

    def reset_api_state(self) -> Action:
        """An action that aborts every request and empties the api's cache."""
        return Action(self._api.action_types.reset_api_state)

    def get_running_queries_thunk(self) -> Thunk[list[QueryHandle[Any] | MutationHandle[Any]]]:
        """A thunk returning handles of every running query and mutation."""

        def thunk(
            dispatch: Callable[[Any], Any], get_state: Callable[[], Any], extra: Any
        ) -> list[QueryHandle[Any] | MutationHandle[Any]]:
            runtime = self._api.runtime_for(dispatch)
            handles: list[QueryHandle[Any] | MutationHandle[Any]] = [
                self._endpoint(r.endpoint_name)._new_handle(
                    runtime, r.arg, r.key, r.request_id, False, running=r
                )
                for r in runtime.running.values()
            ]
            handles.extend(
                MutationHandle(runtime, r, r.arg, None) for r in runtime.running_mutations.values()
            )
            return handles

        return thunk

    def prefetch(
        self,
        endpoint_name: str,
        arg: Any,
        force: bool = False,
        if_older_than: float | None = None,
    ) -> Thunk[QueryHandle[Any]]:
        """A thunk that fetches ``arg`` into the cache without subscribing.

        ``force`` always refetches; ``if_older_than`` (seconds) refetches entries older
        than that. Returns the :class:`QueryHandle`.
        """
        endpoint = self._endpoint(endpoint_name)
        forced: bool | float = (
            True if force else (if_older_than if if_older_than is not None else False)
        )
        return endpoint._initiate(arg, subscribe=False, force_refetch=forced)

    # -- cache updates -----------------------------------------------------------
    def update_query_data(
        self,
        endpoint_name: str,
        arg: Any,
        recipe: Callable[[Any], Any],
        update_provided_tags: bool = False,
    ) -> Thunk[PatchCollection]:
        """A thunk that runs ``recipe`` on a draft of the cached data.

        Returns a :class:`PatchCollection`; ``undo()`` applies the inverse patches. A
        missing or not-yet-loaded entry gives empty patches and changes nothing.

        Raises:
            KeyError: an unknown endpoint.
            ValueError: (when dispatched) the recipe both changed the draft and returned
                another value.
        """

        endpoint = self._endpoint(endpoint_name)
        key = endpoint.cache_key(arg)

        def thunk(
            dispatch: Callable[[Any], Any], get_state: Callable[[], Any], extra: Any
        ) -> PatchCollection:
            entry = lookup(self._slice(get_state())["queries"], key)
            if not _has_data(entry):
                return PatchCollection([], [])
            new_data, patches, inverse = produce_with_patches(entry.data, recipe)
            if patches or update_provided_tags:
                dispatch(
                    self._patched(
                        endpoint, arg, key, patches, entry.data, new_data, update_provided_tags
                    )
                )
            return PatchCollection(
                patches,
                inverse,
                lambda: dispatch(
                    self.patch_query_data(endpoint_name, arg, inverse, update_provided_tags)
                ),
            )

        return thunk

    def _patched(
        self,
        endpoint: Endpoint,
        arg: Any,
        key: str,
        patches: list[dict[str, Any]],
        base_data: Any,
        new_data: Any,
        update_provided_tags: bool,
    ) -> Action:
        # The reducer takes ``data`` as is while the entry still holds ``base``, instead
        # of applying the patches a second time.
        payload: dict[str, Any] = {
            "query_cache_key": key,
            "patches": patches,
            "base": base_data,
            "data": new_data,
        }
        if update_provided_tags:
            payload["provided_tags"] = self._provided(endpoint, new_data, arg)
        return Action(self._api.action_types.query_result_patched, payload)

    def patch_query_data(
        self,
        endpoint_name: str,
        arg: Any,
        patches: list[dict[str, Any]],
        update_provided_tags: bool = False,
    ) -> Thunk[None]:
        """A thunk that applies JSON-Patch-style ``patches`` to the cached data."""

        endpoint = self._endpoint(endpoint_name)
        key = endpoint.cache_key(arg)

        def thunk(dispatch: Callable[[Any], Any], get_state: Callable[[], Any], extra: Any) -> None:
            entry = lookup(self._slice(get_state())["queries"], key)
            if not _has_data(entry):
                return
            if not patches and not update_provided_tags:
                return
            new_data = apply_patches(entry.data, patches)
            dispatch(
                self._patched(
                    endpoint, arg, key, list(patches), entry.data, new_data, update_provided_tags
                )
            )

        return thunk

    def upsert_query_entries(self, entries: Iterable[Mapping[str, Any]]) -> Action:
        """One action that writes many entries: ``[{"endpoint_name", "arg", "value"}, ...]``.

        Entries are created when missing and provide their tags; entries without a
        subscriber are collected after ``keep_unused_data_for``. An infinite endpoint's
        value is ``{"pages": [...], "page_params": [...]}``; its ``has_next_page`` /
        ``has_previous_page`` are derived from them as for fetched pages.

        Raises:
            KeyError: an unknown endpoint.
            TypeError: an item without ``endpoint_name``, ``arg`` and ``value``, or an
                infinite endpoint's value without matching ``pages`` and ``page_params``.
            Exception: what an infinite endpoint's ``get_next_page_param`` or
                ``get_previous_page_param`` raised for the value.
        """
        now = epoch_now()
        # One request id for the batch, as RTK's upsertQueryEntries gives its entries.
        request_id = new_request_id()
        items = []
        plans: dict[str, _UpsertPlan] = {}
        for item in entries:
            if not (type(item) is dict or isinstance(item, Mapping)) or not (
                "endpoint_name" in item and "arg" in item and "value" in item
            ):
                raise TypeError(
                    f"Each upsert entry must be a dict with 'endpoint_name', 'arg' and "
                    f"'value', got {item!r}."
                )
            name = item["endpoint_name"]
            plan = plans.get(name)
            if plan is None:
                plan = plans[name] = self._upsert_plan(name)
            endpoint, tags_of, infinite = plan
            value = freeze(item["value"])
            arg = item["arg"]
            written = {
                "query_cache_key": endpoint.cache_key(arg),
                "endpoint_name": endpoint.name,
                "arg": arg,
                "value": value,
                "request_id": request_id,
                "fulfilled_at": now,
                "infinite": infinite,
                "provided_tags": tags_of(value, arg),
            }
            if infinite:
                problem = check_pages(endpoint.name, value)
                if problem is not None:
                    raise TypeError(f"Cannot upsert {written['query_cache_key']!r}: {problem}.")
                written.update(paging_flags(endpoint.definition.infinite_query_options, value, arg))
            items.append(written)
        return Action(self._api.action_types.upsert_query_entries, items)

    def upsert_query_data(self, endpoint_name: str, arg: Any, data: Any) -> Thunk[QueryHandle[Any]]:
        """A thunk that writes ``data`` as the entry of ``arg``; returns an awaitable handle.

        Creates the entry when missing and runs the endpoint's ``merge`` when it has
        one. A request already in flight for the entry still lands over it. An endpoint
        with a ``response_schema`` validates ``data`` through it (each page of an
        infinite entry), so the cache holds the same typed records its requests store.

        Raises:
            SchemaError: when dispatched, ``data`` fails the ``response_schema``;
                nothing is written.
        """
        endpoint = self._endpoint(endpoint_name)
        key = endpoint.cache_key(arg)

        def thunk(
            dispatch: Callable[[Any], Any], get_state: Callable[[], Any], extra: Any
        ) -> QueryHandle[Any]:
            from ._execute import merge_data

            runtime = self._api.runtime_for(dispatch)
            runtime.extra = extra
            definition = endpoint.definition
            value = revalidate(definition.schemas, data, infinite=definition.is_infinite)
            entry = runtime.entry(key)
            if (
                endpoint.definition.merge is not None
                and entry is not None
                and entry.data is not None
            ):
                value = merge_data(endpoint.definition, entry.data, value, arg, entry.original_args)
            action = self.upsert_query_entries(
                [{"endpoint_name": endpoint_name, "arg": arg, "value": value}]
            )
            dispatch(action)
            return _UpsertHandle(
                runtime, endpoint, arg, key, action.payload[0]["request_id"], False
            )

        return thunk

    # -- persistence and paused mutations ----------------------------------------
    def hydrate(self, dehydrated: Any, *, max_age: float = 86400.0, buster: str = "") -> Action:
        """An action that restores a snapshot made by ``rtkq.persist.dehydrate``.

        Newer entries win (comparing ``fulfilled_at``); entries older than ``max_age``
        seconds (from their ``fulfilled_at``), a snapshot with another ``buster``, and
        endpoints this api no longer has are dropped. Hydrated entries without a
        subscriber are collected after ``keep_unused_data_for``. Hydrated paused
        mutations stay paused until ``resume_paused_mutations()``.

        Raises:
            ValueError: the snapshot is malformed or of an unknown version (nothing is
                applied); the message names what is wrong.
            TypeError: ``max_age`` or ``buster`` of the wrong type.
        """
        from ._hydrate import hydrate_payload

        payload = hydrate_payload(
            self._api, dehydrated, max_age=max_age, buster=buster, now=epoch_now()
        )
        return Action(self._api.action_types.hydrate, payload)

    def resume_paused_mutations(self) -> Thunk[asyncio.Task[list[dict[str, Any]]]]:
        """A thunk sending paused mutations, one at a time in dispatch order.

        Dispatching it returns an awaitable task giving the results
        (``{"data"}`` / ``{"error"}``) of the mutations it sent. A mutation that pauses
        again (still offline, or another network error) stops the run: the ones behind
        it wait for the next resume. ``on_online()`` runs it too.

        Raises:
            RuntimeError: (when dispatched) no running event loop.
        """

        def thunk(
            dispatch: Callable[[Any], Any], get_state: Callable[[], Any], extra: Any
        ) -> asyncio.Task[list[dict[str, Any]]]:
            runtime = self._api.runtime_for(dispatch)
            runtime.extra = extra
            return runtime.paused.resume()

        return thunk

    # -- optimistic layers ---------------------------------------------------------
    def _add_layer(
        self,
        runtime: Runtime,
        mutation_request_id: str,
        endpoint_name: str,
        arg: Any,
        recipe: Callable[[Any], Any],
    ) -> PatchCollection:

        endpoint = self._endpoint(endpoint_name)
        key = endpoint.cache_key(arg)
        entry = runtime.entry(key)
        if not _has_data(entry):
            return PatchCollection([], [])
        data, patches, inverse = produce_with_patches(entry.data, recipe)
        layer_id = new_request_id()
        runtime.dispatch(
            Action(
                self._api.action_types.optimistic_layer_added,
                {"query_cache_key": key, "layer_id": layer_id, "recipe": recipe, "data": data},
            )
        )
        if mutation_request_id in runtime.running_mutations:
            runtime.layers_by_mutation.setdefault(mutation_request_id, []).append((key, layer_id))
        else:
            runtime.drop_layer(key, layer_id)  # the mutation has already settled

        def undo() -> None:
            layers = runtime.layers_by_mutation.get(mutation_request_id)
            if layers and (key, layer_id) in layers:
                layers.remove((key, layer_id))
            runtime.drop_layer(key, layer_id)

        return PatchCollection(patches, inverse, undo)
