"""Drafts and patches: immer-style copy-on-write updates of frozen data.

``produce`` hands a recipe a draft (``MapDraft``, ``ListDraft``, ``SetDraft``) of
frozen pyrsistent data (and a ``RecordDraft`` of each typed record inside it); the writes become a new frozen value that shares every
untouched subtree with the base, plus JSON-Patch-like patches that ``apply_patches``
can replay or undo.
"""

from __future__ import annotations

from ._apply_patches import apply_patches
from ._base import Draft
from ._list_draft import ListDraft
from ._map_draft import MapDraft
from ._nothing import NOTHING, Nothing
from ._produce import produce, produce_with_patches
from ._record_draft import RecordDraft
from ._set_draft import SetDraft

__all__ = [
    "NOTHING",
    "Draft",
    "ListDraft",
    "MapDraft",
    "Nothing",
    "RecordDraft",
    "SetDraft",
    "apply_patches",
    "produce",
    "produce_with_patches",
]
