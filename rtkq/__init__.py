"""rtkq: server-state caching on an immutable Redux store.

The public surface is re-exported here; every module behind it is private.
"""

from __future__ import annotations

from ._base_query import fetch_base_query, retry
from ._draft import NOTHING, apply_patches, produce, produce_with_patches
from ._exceptions import QueryError, SchemaError
from ._freeze import freeze, thaw
from ._observe import (
    InfiniteQueryObserver,
    InfiniteQueryResult,
    LazyQueryObserver,
    MutationObserver,
    MutationResult,
    QueryObserver,
    QueryResult,
    QueryStateObserver,
)
from ._query._cache_key import default_serialize_query_args
from ._query._create_api import Api, create_api
from ._query._endpoint_kinds import InfiniteQueryEndpoint, MutationEndpoint, QueryEndpoint
from ._query._env import on_focus, on_focus_lost, on_offline, on_online
from ._query._handles import InfiniteQueryHandle, MutationHandle, QueryHandle
from ._query._infinite import InfiniteQueryContext
from ._query._patch_collection import PatchCollection
from ._query._types import (
    InfiniteData,
    InfiniteQueryState,
    MutationState,
    QueryState,
    QueryStatus,
    SkipToken,
    Tag,
    skip_token,
)
from ._schema import SchemaFailureInfo
from ._store._action import Action, ActionCreator, create_action
from ._store._apply_middleware import apply_middleware, compose
from ._store._combine_reducers import combine_reducers
from ._store._configure_store import configure_store
from ._store._create_store import Store, create_store
from ._store._listener_api import CancelSignal, ForkedTask, ForkResult, ListenerApi
from ._store._listener_middleware import ListenerMiddleware, create_listener_middleware
from ._store._selector import create_selector
from ._store._slice import Slice, create_slice

# Plain sorted order (tests/test_public_api.py pins it), not ruff's constants-first.
__all__ = [  # noqa: RUF022
    "Action",
    "ActionCreator",
    "Api",
    "CancelSignal",
    "ForkResult",
    "ForkedTask",
    "InfiniteData",
    "InfiniteQueryContext",
    "InfiniteQueryEndpoint",
    "InfiniteQueryHandle",
    "InfiniteQueryObserver",
    "InfiniteQueryResult",
    "InfiniteQueryState",
    "LazyQueryObserver",
    "ListenerApi",
    "ListenerMiddleware",
    "MutationEndpoint",
    "MutationHandle",
    "MutationObserver",
    "MutationResult",
    "MutationState",
    "NOTHING",
    "PatchCollection",
    "QueryEndpoint",
    "QueryError",
    "QueryHandle",
    "QueryObserver",
    "QueryResult",
    "QueryState",
    "QueryStateObserver",
    "QueryStatus",
    "SchemaError",
    "SchemaFailureInfo",
    "SkipToken",
    "Slice",
    "Store",
    "Tag",
    "apply_middleware",
    "apply_patches",
    "combine_reducers",
    "compose",
    "configure_store",
    "create_action",
    "create_api",
    "create_listener_middleware",
    "create_selector",
    "create_slice",
    "create_store",
    "default_serialize_query_args",
    "fetch_base_query",
    "freeze",
    "on_focus",
    "on_focus_lost",
    "on_offline",
    "on_online",
    "produce",
    "produce_with_patches",
    "retry",
    "skip_token",
    "thaw",
]
