# pyright: strict
"""Models the cases share: a pydantic model, a msgspec struct, a dataclass."""

from __future__ import annotations

from dataclasses import dataclass

import msgspec
import pydantic


class Post(pydantic.BaseModel):
    id: int
    title: str


class PostPatch(pydantic.BaseModel):
    id: int
    title: str | None = None


class Page(msgspec.Struct, frozen=True):
    items: list[int]
    next: int | None


@dataclass(frozen=True)
class Comment:
    id: int
    body: str
