"""Schema options at definition time: where they are accepted and what is refused."""

from __future__ import annotations

from typing import Any

import pytest

from rtkq import create_api

from ._models import Post


def base_query(args: Any, api: Any, extra: Any) -> Any:
    return {"data": args}


def define(**options: Any) -> Any:
    return create_api(
        base_query=base_query,
        endpoints=lambda build: {"get_post": build.query(query=str, **options)},
    )


def test_every_endpoint_form_accepts_every_schema_option() -> None:
    options = {
        "arg_schema": int,
        "raw_response_schema": dict,
        "response_schema": Post,
        "raw_error_response_schema": dict,
        "error_response_schema": dict,
        "meta_schema": lambda meta: meta,
        "on_schema_failure": lambda exc, info: None,
        "catch_schema_failure": lambda exc, info: {"caught": True},
        "skip_schema_validation": ["meta_schema"],
    }
    api = create_api(
        base_query=base_query,
        endpoints=lambda build: {
            "q": build.query(query=str, **options),
            "m": build.mutation(query=str, **options),
            "i": build.infinite_query(
                query=str,
                infinite_query_options={
                    "initial_page_param": 0,
                    "get_next_page_param": lambda *args: None,
                },
                **options,
            ),
        },
    )
    for name in ("q", "m", "i"):
        schemas = api.definitions[name].schemas
        assert schemas is not None
        assert schemas.meta is None  # skipped
        assert schemas.response is not None and schemas.arg is not None


def test_an_endpoint_without_active_schemas_compiles_to_none() -> None:
    assert define().definitions["get_post"].schemas is None
    skipped = define(response_schema=Post, skip_schema_validation=True)
    assert skipped.definitions["get_post"].schemas is None


def test_a_skipped_schema_is_still_checked_at_definition_time() -> None:
    with pytest.raises(TypeError, match="response_schema of endpoint 'get_post' must be"):
        define(response_schema=3, skip_schema_validation=True)


def test_create_api_needs_no_endpoints_and_inject_compiles_with_api_defaults() -> None:
    api = create_api(base_query=base_query, skip_schema_validation=["response_schema"])
    assert len(api.endpoints) == 0
    api.inject_endpoints(
        endpoints=lambda build: {
            "get_post": build.query(query=str, response_schema=Post, arg_schema=int)
        }
    )
    schemas = api.definitions["get_post"].schemas
    assert schemas is not None and schemas.response is None and schemas.arg is not None


@pytest.mark.parametrize(
    ("skip", "error", "match"),
    [
        (["response"], ValueError, r"names unknown schema\(s\) \['response'\]; the schema names"),
        ("response_schema", TypeError, r"must be True, False or a list of schema names"),
        (1, TypeError, r"must be True, False or a list"),
    ],
)
def test_bad_skip_values_are_refused_with_the_valid_names(
    skip: Any, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=r"skip_schema_validation of endpoint 'get_post' " + match):
        define(response_schema=Post, skip_schema_validation=skip)
    with pytest.raises(error, match=r"skip_schema_validation of create_api " + match):
        create_api(base_query=base_query, skip_schema_validation=skip)


def test_hooks_must_be_plain_callables() -> None:
    with pytest.raises(TypeError, match=r"on_schema_failure of endpoint 'get_post' must be a "):
        define(response_schema=Post, on_schema_failure="log")

    async def catch(exc: Any, info: Any) -> Any:
        return None

    with pytest.raises(TypeError, match=r"catch_schema_failure of create_api must be a plain"):
        create_api(base_query=base_query, catch_schema_failure=catch)


def test_a_bad_schema_in_inject_endpoints_adds_none_of_the_batch() -> None:
    api = create_api(base_query=base_query)
    with pytest.raises(TypeError, match="arg_schema of endpoint 'b'"):
        api.inject_endpoints(
            endpoints=lambda build: {
                "a": build.query(query=str, response_schema=Post),
                "b": build.query(query=str, arg_schema=object()),
            }
        )
    assert list(api.endpoints) == []
