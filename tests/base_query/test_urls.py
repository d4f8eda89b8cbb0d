"""URL joining and query strings (pure functions, no server)."""

from __future__ import annotations

import pytest

from rtkq._base_query._urls import append_params, join_urls


@pytest.mark.parametrize(
    ("base", "url", "expected"),
    [
        ("http://h/api", "posts", "http://h/api/posts"),
        ("http://h/api/", "posts", "http://h/api/posts"),
        ("http://h/api", "/posts", "http://h/api/posts"),
        ("http://h/api/", "/posts", "http://h/api/posts"),
        ("http://h/api", "?page=2", "http://h/api?page=2"),
        ("http://h/api/", "?page=2", "http://h/api/?page=2"),
        ("http://h/api", "", "http://h/api"),
        (None, "http://x/y", "http://x/y"),
        ("", "posts", "posts"),
        ("http://h/api", "https://other/p", "https://other/p"),
        ("http://h/api", "HTTP://other/p", "HTTP://other/p"),
        ("http://h/api", "//cdn/p", "//cdn/p"),
        ("http://h/api", "posts/1/comments?x=1", "http://h/api/posts/1/comments?x=1"),
    ],
)
def test_join_urls_like_rtk(base: str | None, url: str, expected: str) -> None:
    assert join_urls(base, url) == expected


@pytest.mark.parametrize(
    ("url", "params", "expected"),
    [
        ("u", None, "u"),
        ("u", {}, "u"),
        ("u", {"a": None}, "u"),
        ("u", {"a": 1}, "u?a=1"),
        ("u?x=0", {"a": 1}, "u?x=0&a=1"),
        ("u?", {"a": 1}, "u?a=1"),
        ("u?x=0&", {"a": 1}, "u?x=0&a=1"),
        ("u#frag", {"a": 1}, "u?a=1#frag"),
        ("u", {"a": [1, 2], "b": False}, "u?a=1&a=2&b=false"),
        ("u", {"s": "a b/c"}, "u?s=a+b%2Fc"),
    ],
)
def test_append_params(url: str, params: dict[str, object] | None, expected: str) -> None:
    assert append_params(url, params, None) == expected


def test_append_params_rejects_a_non_mapping() -> None:
    with pytest.raises(TypeError, match="'list'"):
        append_params("u", [("a", 1)], None)  # type: ignore[arg-type]
