"""``create_api``: wiring an api slice together, top to bottom."""

from __future__ import annotations

import contextlib
import dataclasses
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .._schema import SchemaDefaults, compile_schemas
from .._store._action import Action
from ._action_types import ActionTypes
from ._cache_key import default_serialize_query_args
from ._decorators import EndpointDecorators
from ._definitions import EndpointBuilder, EndpointDefinition, validate_definition
from ._endpoint_kinds import make_endpoint
from ._endpoints import Endpoints
from ._middleware import build_middleware
from ._paused import resume_on_online
from ._runtime import Runtime
from ._slice import build_reducer
from ._util import ApiUtil

__all__ = ["Api", "create_api"]

_INVALIDATION = ("delayed", "immediately")
_NETWORK_MODES = ("online", "offline_first", "always")


class Api(EndpointDecorators):
    """What :func:`create_api` returns.

    Endpoints come from ``create_api(endpoints=...)``, :meth:`inject_endpoints` or the
    decorators ``@api.query``, ``@api.mutation``, ``@api.infinite_query``,
    ``@api.query_fn`` and ``@api.mutation_fn`` (typed: see ``QueryEndpoint``).

    Attributes:
        reducer_path: where the api's state lives in the root state.
        reducer: the api's reducer, to mount under ``reducer_path``.
        middleware: the api middleware, to pass to ``configure_store(middleware=[...])``.
        endpoints: ``api.endpoints.<name>`` / ``api.endpoints["name"]``.
        util: cache utilities (``update_query_data``, ``invalidate_tags``, ...).
    """

    def __init__(
        self,
        *,
        base_query: Callable[..., Any] | None,
        tag_types: Iterable[str],
        reducer_path: str,
        keep_unused_data_for: float,
        refetch_on_mount_or_arg_change: bool | float,
        refetch_on_focus: bool,
        refetch_on_reconnect: bool,
        serialize_query_args: Callable[[str, Any], str],
        invalidation_behavior: str,
        network_mode: str,
        schema_defaults: SchemaDefaults | None = None,
    ) -> None:
        self.base_query = base_query
        self.tag_types = frozenset(tag_types)
        self.reducer_path = reducer_path
        self.keep_unused_data_for = keep_unused_data_for
        self.refetch_on_mount_or_arg_change = refetch_on_mount_or_arg_change
        self.refetch_on_focus = refetch_on_focus
        self.refetch_on_reconnect = refetch_on_reconnect
        self.serialize_query_args = serialize_query_args
        self.invalidation_behavior = invalidation_behavior
        self.network_mode = network_mode
        self.schema_defaults = schema_defaults or SchemaDefaults()
        self.action_types = ActionTypes.for_path(reducer_path)
        self._probe = Action(self.action_types.runtime_probe)  # frozen: built once
        # The last (store dispatch, runtime) asked about, both weakly: the api (usually
        # module-level) must not keep the last store alive.
        self._last_runtime: tuple[Callable[[], object], Callable[[], Any]] = (_nothing, _nothing)
        self.definitions: dict[str, EndpointDefinition] = {}
        self.endpoints = Endpoints()
        self.extra_middleware_hooks: dict[str, Any] = {}
        self.on_online_hooks: list[Callable[[Runtime], Any]] = [resume_on_online]
        self.reducer = build_reducer(types=self.action_types, config={"reducer_path": reducer_path})
        self.middleware = build_middleware(self)
        self.util = ApiUtil(self)

    def __repr__(self) -> str:
        return f"<Api {self.reducer_path!r} endpoints={sorted(self.endpoints)}>"

    def inject_endpoints(
        self,
        *,
        endpoints: Callable[[EndpointBuilder], Mapping[str, EndpointDefinition]],
        override_existing: bool = False,
    ) -> Api:
        """Add endpoints to this api and return it.

        Raises:
            ValueError: a name that already exists without ``override_existing=True``;
                an invalid definition (see ``create_api``).
            TypeError: ``endpoints`` is not a callable returning a dict of definitions;
                a schema that is neither a supported type nor a callable.
        """
        if not callable(endpoints):
            raise TypeError(
                f"endpoints must be a function build -> dict, got {type(endpoints).__name__!r}."
            )
        defined = endpoints(EndpointBuilder())
        if not isinstance(defined, Mapping):
            raise TypeError(
                f"endpoints(build) must return a dict of name -> definition, got "
                f"{type(defined).__name__!r}."
            )
        checked: dict[str, EndpointDefinition] = {}
        for name, definition in defined.items():
            if not isinstance(name, str) or not name.isidentifier():
                raise ValueError(
                    f"Endpoint name {name!r} must be a Python identifier (it becomes "
                    "api.endpoints.<name>)."
                )
            validate_definition(name, definition, self.tag_types)
            if name in self.definitions and not override_existing:
                raise ValueError(
                    f"Endpoint {name!r} already exists in api {self.reducer_path!r}. Pass "
                    "inject_endpoints(..., override_existing=True) to replace it."
                )
            checked[name] = self._with_schemas(name, definition)
        for name, definition in checked.items():
            self.definitions[name] = definition
            self.endpoints._add(make_endpoint(self, name, definition))
        return self

    def _with_schemas(self, name: str, definition: EndpointDefinition) -> EndpointDefinition:
        """``definition`` with its schemas compiled against this api's defaults."""
        schemas = compile_schemas(name, definition.options, self.schema_defaults)
        if schemas is None and definition.schemas is None:
            return definition
        return dataclasses.replace(definition, schemas=schemas)

    def runtime_for(self, dispatch: Callable[[Any], Any]) -> Runtime:
        """The runtime of the store behind ``dispatch``.

        Raises:
            RuntimeError: the api middleware is not mounted in that store.
        """
        last_dispatch, last_runtime = self._last_runtime
        if last_dispatch() is dispatch:
            cached: Runtime | None = last_runtime()
            if cached is not None and not cached.closed:
                return cached  # the store of the last call: no probe through the chain
        runtime = dispatch(self._probe)
        if not isinstance(runtime, Runtime) or runtime.api is not self:
            raise RuntimeError(
                f"The middleware of api {self.reducer_path!r} is not in this store. Add it: "
                "configure_store(reducer={..., api.reducer_path: api.reducer}, "
                "middleware=[api.middleware])."
            )
        with contextlib.suppress(TypeError):  # a dispatch that takes no weak reference
            self._last_runtime = (weakref.ref(dispatch), weakref.ref(runtime))
        return runtime


def _nothing() -> None:
    return None


def create_api(
    *,
    base_query: Callable[..., Any] | None = None,
    endpoints: Callable[[EndpointBuilder], Mapping[str, EndpointDefinition]] | None = None,
    tag_types: Iterable[str] = (),
    reducer_path: str = "api",
    keep_unused_data_for: float = 60.0,
    refetch_on_mount_or_arg_change: bool | float = False,
    refetch_on_focus: bool = False,
    refetch_on_reconnect: bool = False,
    serialize_query_args: Callable[[str, Any], str] | None = None,
    invalidation_behavior: str = "delayed",
    network_mode: str = "online",
    on_schema_failure: Callable[[Any, Any], Any] | None = None,
    catch_schema_failure: Callable[[Any, Any], Any] | None = None,
    skip_schema_validation: bool | Sequence[str] = False,
) -> Api:
    """Create an api slice: endpoints with cached, de-duplicated, invalidated requests.

    Args:
        base_query: ``base_query(args, api, extra_options)`` (sync or async), e.g.
            ``fetch_base_query(base_url=...)``; endpoints using ``query=`` need one.
        endpoints: ``lambda build: {"name": build.query(...), ...}`` (optional: more
            can be added with ``inject_endpoints`` or the decorators).
        tag_types: the tag types endpoints may provide and invalidate.
        reducer_path: where the api's state lives in the root state.
        keep_unused_data_for: seconds an entry with no subscriber is kept.
        refetch_on_mount_or_arg_change: ``True``, ``False`` or seconds; applies to
            initiates that subscribe.
        refetch_on_focus / refetch_on_reconnect: api-wide defaults for subscriptions.
        serialize_query_args: ``(endpoint_name, arg) -> str`` cache keys.
        invalidation_behavior: ``"delayed"`` (wait until no request runs) or
            ``"immediately"``.
        network_mode: ``"online"``, ``"offline_first"`` or ``"always"``.
        on_schema_failure: ``(exc, info)`` called on every schema failure (after the
            endpoint's own hook).
        catch_schema_failure: ``(exc, info) -> error payload`` to reject with instead of
            the ``SchemaError`` payload, for endpoints that set none.
        skip_schema_validation: ``True`` or a list of schema names to skip, for
            endpoints that set none.

    Raises:
        TypeError: an argument of the wrong type.
        ValueError: an invalid endpoint definition, or an unknown option value.
    """
    if base_query is not None and not callable(base_query):
        raise TypeError(
            f"base_query must be callable, got {type(base_query).__name__!r}. Pass e.g. "
            "fetch_base_query(base_url='http://...')."
        )
    if isinstance(tag_types, str):
        raise TypeError(f"tag_types must be a list of str, got the str {tag_types!r}.")
    tag_types = list(tag_types)
    for tag_type in tag_types:
        if not isinstance(tag_type, str):
            raise TypeError(f"tag_types must hold str, got {tag_type!r}.")
    if not isinstance(reducer_path, str) or not reducer_path:
        raise TypeError(f"reducer_path must be a non-empty str, got {reducer_path!r}.")
    if not isinstance(keep_unused_data_for, (int, float)) or keep_unused_data_for < 0:
        raise ValueError(
            f"keep_unused_data_for must be seconds >= 0 (math.inf keeps data forever), got "
            f"{keep_unused_data_for!r}."
        )
    if invalidation_behavior not in _INVALIDATION:
        raise ValueError(
            f"invalidation_behavior must be one of {_INVALIDATION}, got {invalidation_behavior!r}."
        )
    if network_mode not in _NETWORK_MODES:
        raise ValueError(f"network_mode must be one of {_NETWORK_MODES}, got {network_mode!r}.")
    if serialize_query_args is not None and not callable(serialize_query_args):
        raise TypeError(
            f"serialize_query_args must be callable (endpoint_name, arg) -> str, got "
            f"{type(serialize_query_args).__name__!r}."
        )
    schema_defaults = SchemaDefaults(
        on_schema_failure=on_schema_failure,
        catch_schema_failure=catch_schema_failure,
        skip_schema_validation=skip_schema_validation,
    )
    api = Api(
        base_query=base_query,
        tag_types=tag_types,
        reducer_path=reducer_path,
        keep_unused_data_for=keep_unused_data_for,
        refetch_on_mount_or_arg_change=refetch_on_mount_or_arg_change,
        refetch_on_focus=refetch_on_focus,
        refetch_on_reconnect=refetch_on_reconnect,
        serialize_query_args=serialize_query_args or default_serialize_query_args,
        invalidation_behavior=invalidation_behavior,
        network_mode=network_mode,
        schema_defaults=schema_defaults,
    )
    if endpoints is None:
        return api
    return api.inject_endpoints(endpoints=endpoints)
