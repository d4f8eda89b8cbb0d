"""The same post record as a pydantic model, a dataclass and a msgspec struct."""

from __future__ import annotations

import dataclasses

import msgspec
import pydantic
from typing_extensions import TypedDict


class Post(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(frozen=True)

    id: int
    title: str
    tags: tuple[str, ...] = ()


class PostDict(TypedDict):
    id: int
    title: str
    tags: list[str]


@dataclasses.dataclass(frozen=True)
class PostRecord:
    id: int
    title: str
    tags: list[str] = dataclasses.field(default_factory=list)


class PostStruct(msgspec.Struct, frozen=True):
    id: int
    title: str
    tags: list[str] = []


class ApiError(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(frozen=True)

    status: int
    detail: str
