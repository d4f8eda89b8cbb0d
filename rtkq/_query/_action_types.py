"""The action types of one api, namespaced by its ``reducer_path``."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FOCUSED", "OFFLINE", "ONLINE", "UNFOCUSED", "ActionTypes"]

# Environment actions are shared by every api in a store.
FOCUSED = "rtkq/focused"
UNFOCUSED = "rtkq/unfocused"
ONLINE = "rtkq/online"
OFFLINE = "rtkq/offline"


@dataclass(frozen=True, slots=True)
class ActionTypes:
    """Every action type an api dispatches or answers, for one ``reducer_path``."""

    query_pending: str
    query_fulfilled: str
    query_rejected: str
    mutation_pending: str
    mutation_fulfilled: str
    mutation_rejected: str
    mutation_resumed: str
    mutation_paused: str
    remove_query_result: str
    remove_mutation_result: str
    query_result_patched: str
    upsert_query_entries: str
    update_provided_by: str
    invalidate_tags: str
    reset_api_state: str
    optimistic_layer_added: str
    optimistic_layer_removed: str
    hydrate: str
    runtime_probe: str

    @classmethod
    def for_path(cls, path: str) -> ActionTypes:
        return cls(
            query_pending=f"{path}/executeQuery/pending",
            query_fulfilled=f"{path}/executeQuery/fulfilled",
            query_rejected=f"{path}/executeQuery/rejected",
            mutation_pending=f"{path}/executeMutation/pending",
            mutation_fulfilled=f"{path}/executeMutation/fulfilled",
            mutation_rejected=f"{path}/executeMutation/rejected",
            mutation_resumed=f"{path}/executeMutation/resumed",
            mutation_paused=f"{path}/executeMutation/paused",
            remove_query_result=f"{path}/queries/removeQueryResult",
            remove_mutation_result=f"{path}/mutations/removeMutationResult",
            query_result_patched=f"{path}/queries/queryResultPatched",
            upsert_query_entries=f"{path}/queries/upsertQueryEntries",
            update_provided_by=f"{path}/invalidation/updateProvidedBy",
            invalidate_tags=f"{path}/invalidateTags",
            reset_api_state=f"{path}/resetApiState",
            optimistic_layer_added=f"{path}/optimistic/layerAdded",
            optimistic_layer_removed=f"{path}/optimistic/layerRemoved",
            hydrate=f"{path}/hydrate",
            runtime_probe=f"@@rtkq/{path}/runtime",
        )
