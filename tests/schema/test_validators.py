"""Building validators: which schemas are accepted, what each returns, how it fails."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import textwrap
from typing import Any

import msgspec
import pydantic
import pytest

from rtkq import SchemaError, create_api, freeze
from rtkq._schema import build_validator

from ._models import Post, PostDict, PostRecord, PostStruct

GOOD = {"id": 1, "title": "First", "tags": ["a"]}
BAD = {"id": "one", "title": "First", "tags": ["a"]}


def check(schema: Any) -> Any:
    return build_validator(schema, endpoint="get_post", option="response_schema")


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        (Post, Post(id=1, title="First", tags=("a",))),
        (pydantic.TypeAdapter(Post), Post(id=1, title="First", tags=("a",))),
        (PostDict, GOOD),
        (PostRecord, PostRecord(1, "First", ["a"])),
        (PostStruct, PostStruct(1, "First", ["a"])),
    ],
    ids=["model", "type_adapter", "typeddict", "dataclass", "msgspec_struct"],
)
def test_each_kind_of_schema_returns_its_output(schema: Any, expected: Any) -> None:
    assert check(schema)(GOOD) == expected
    assert type(check(schema)(GOOD)) is type(expected)


@pytest.mark.parametrize(
    "schema", [Post, pydantic.TypeAdapter(Post), PostDict, PostRecord, PostStruct]
)
def test_each_kind_of_schema_reports_the_failing_field(schema: Any) -> None:
    with pytest.raises(SchemaError) as caught:
        check(schema)(BAD)
    error = caught.value
    assert error.schema_name == "response_schema"
    assert error.value is BAD
    assert [issue["path"] for issue in error.issues] == [["id"]]
    assert "int" in error.issues[0]["message"]
    assert str(error).startswith("response_schema rejected the value (1 issue): id: ")


def test_lists_of_models_and_of_structs_validate_every_item() -> None:
    posts = check(list[Post])([GOOD, {**GOOD, "id": 2}])
    assert [type(post) for post in posts] == [Post, Post]
    structs = check(list[PostStruct])([GOOD])
    assert structs == [PostStruct(1, "First", ["a"])]
    with pytest.raises(SchemaError) as pydantic_error:
        check(list[Post])([GOOD, GOOD, {**GOOD, "title": None}])
    assert pydantic_error.value.issues == (
        {"message": pydantic_error.value.issues[0]["message"], "path": [2, "title"]},
    )
    with pytest.raises(SchemaError) as msgspec_error:
        check(list[PostStruct])([GOOD, {**GOOD, "tags": ["x", 3]}])
    assert msgspec_error.value.issues[0]["path"] == [1, "tags", 1]
    assert msgspec_error.value.issues[0]["message"] == "Expected `str`, got `int`"


def test_frozen_input_is_validated_like_plain_data() -> None:
    assert check(Post)(freeze(GOOD)) == Post(id=1, title="First", tags=("a",))
    assert check(PostStruct)(freeze(GOOD)) == PostStruct(1, "First", ["a"])


def test_a_callable_schema_returns_its_value_and_its_exception_becomes_one_issue() -> None:
    def positive(value: Any) -> int:
        if value <= 0:
            raise ValueError(f"expected a positive number, got {value}")
        return int(value)

    validator = build_validator(positive, endpoint="get_post", option="arg_schema")
    assert validator(3) == 3
    with pytest.raises(SchemaError) as caught:
        validator(-1)
    assert caught.value.schema_name == "arg_schema"
    assert caught.value.issues == ({"message": "expected a positive number, got -1", "path": []},)
    assert isinstance(caught.value.__cause__, ValueError)


def test_a_callable_may_raise_schema_error_with_its_own_issues() -> None:
    def strict(value: Any) -> Any:
        raise SchemaError([{"message": "too long", "path": ["title"]}], value)

    with pytest.raises(SchemaError) as caught:
        build_validator(strict, endpoint="e", option="response_schema")({"title": "x"})
    assert caught.value.schema_name == "response_schema"
    assert caught.value.issues == ({"message": "too long", "path": ["title"]},)
    assert caught.value.payload == {
        "name": "SchemaError",
        "schema_name": "response_schema",
        "message": "response_schema rejected the value (1 issue): title: too long",
        "issues": [{"message": "too long", "path": ["title"]}],
    }


@pytest.mark.parametrize("bad", [42, "Post", [Post]])
def test_an_unsupported_schema_is_a_type_error_naming_endpoint_and_option(bad: Any) -> None:
    with pytest.raises(TypeError, match=r"raw_response_schema of endpoint 'get_post' must be"):
        create_api(
            base_query=lambda args, api, extra: {"data": args},
            endpoints=lambda build: {
                "get_post": build.query(query=lambda arg: arg, raw_response_schema=bad)
            },
        )


def test_a_type_pydantic_cannot_validate_is_a_type_error_at_definition_time() -> None:
    class Opaque:
        pass

    with pytest.raises(TypeError, match=r"response_schema of endpoint 'get_x': pydantic cannot"):
        create_api(
            base_query=lambda args, api, extra: {"data": args},
            endpoints=lambda build: {
                "get_x": build.query(query=lambda arg: arg, response_schema=Opaque)
            },
        )


def test_dataclass_output_keeps_list_fields_as_validated() -> None:
    @dataclasses.dataclass(frozen=True)
    class Page:
        items: list[int]

    assert check(Page)({"items": ["1", 2]}) == Page([1, 2])


def test_msgspec_path_for_unnamed_dict_keys_and_messages_without_path() -> None:
    from rtkq._schema._issues import issues_from_msgspec

    assert issues_from_msgspec(
        msgspec.ValidationError("Expected `str`, got `int` - at `$[...][0]`")
    ) == [{"message": "Expected `str`, got `int`", "path": ["...", 0]}]
    assert issues_from_msgspec(msgspec.ValidationError("Object missing required field `id`")) == [
        {"message": "Object missing required field `id`", "path": []}
    ]


def _run(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_import_rtkq_and_callable_schemas_import_neither_pydantic_nor_msgspec() -> None:
    out = _run(
        """
        import sys
        import rtkq
        rtkq.create_api(
            base_query=lambda a, api, e: {"data": a},
            endpoints=lambda build: {"e": build.query(query=str, response_schema=lambda v: v)},
        )
        print(sorted(m for m in sys.modules if m.split(".")[0] in ("pydantic", "msgspec")))
        """
    )
    assert out == "[]"


def test_a_plain_type_imports_pydantic_only_when_it_is_given() -> None:
    out = _run(
        """
        import sys
        from typing_extensions import TypedDict
        import rtkq

        class Item(TypedDict):
            id: int

        before = "pydantic" in sys.modules
        rtkq.create_api(
            base_query=lambda a, api, e: {"data": a},
            endpoints=lambda build: {"e": build.query(query=str, response_schema=list[Item])},
        )
        print(before, "pydantic" in sys.modules, "msgspec" in sys.modules)
        """
    )
    assert out == "False True False"
