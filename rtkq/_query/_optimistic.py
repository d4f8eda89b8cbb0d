"""Optimistic layers of mutations: kept while pending, dropped when they settle."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, cast

from .._store._action import Action
from ._runtime_base import RuntimeBase
from ._tags import keys_for_tags
from ._types import Tag

if TYPE_CHECKING:
    from ._runtime import Runtime

    pass


__all__ = ["OptimisticLayers"]


class OptimisticLayers(RuntimeBase):
    """Optimistic layers of mutations: kept while pending, dropped when they settle."""

    def add_optimistic_layer(
        self, mutation_request_id: str, endpoint_name: str, arg: Any, recipe: Callable[[Any], Any]
    ) -> Any:
        return self.api.util._add_layer(
            cast("Runtime", self), mutation_request_id, endpoint_name, arg, recipe
        )

    def settle_layers(self, request_id: str, succeeded: bool, tags: Iterable[Tag]) -> None:
        layers = self.layers_by_mutation.pop(request_id, None)
        if not layers:
            return
        refetching: set[str] = set()
        if succeeded and tags:
            refetching = set(keys_for_tags(self.slice_state()["provided"], tags))
        for key, layer_id in layers:
            if key in refetching and self.has_subscribers(key):
                # Dropped when the refetch its own invalidation starts has landed.
                self.layer_drops.setdefault(key, []).append(layer_id)
                continue
            self.drop_layer(key, layer_id)

    def drop_layer(self, key: str, layer_id: str) -> None:
        self.dispatch(
            Action(
                self.types.optimistic_layer_removed, {"query_cache_key": key, "layer_id": layer_id}
            )
        )
