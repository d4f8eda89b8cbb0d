"""Redis key and channel names of one namespace and api (nothing outside them is touched)."""

from __future__ import annotations

from .._query._types import Tag
from ._codec import tag_id_text

__all__ = ["Keys"]


class Keys:
    """``{namespace}:{reducer_path}:...`` names; two namespaces share no key or channel."""

    __slots__ = ("base", "channel", "epoch")

    def __init__(self, namespace: str, reducer_path: str) -> None:
        self.base = f"{namespace}:{reducer_path}"
        self.channel = f"{self.base}:bus"
        # Changed by every invalidation: a fill that started before it is not written.
        self.epoch = f"{self.base}:epoch"

    def entry(self, key: str) -> str:
        return f"{self.base}:e:{key}"

    def lock(self, key: str) -> str:
        return f"{self.base}:l:{key}"

    def tag_sets(self, tag: Tag) -> list[str]:
        """The index sets an entry providing ``tag`` joins: its type's, and its id's."""
        by_type = f"{self.base}:t:{tag.type}"
        if tag.id is None:
            return [by_type]
        return [by_type, f"{self.base}:i:{tag.type}:{tag_id_text(tag.id)}"]

    def invalidated_set(self, tag: Tag) -> str:
        """The index set whose entries ``tag`` invalidates."""
        if tag.id is None:
            return f"{self.base}:t:{tag.type}"
        return f"{self.base}:i:{tag.type}:{tag_id_text(tag.id)}"
