"""Property tests: random data, random draft operations, patches that replay and undo.

Each example runs the same random operations on a draft of frozen data and on a plain
deep copy (the model), then checks the result against the model, replays the patches on
the base, undoes them on the result, and checks that every subtree the operations did
not reach is the very same object in the result.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rtkq import apply_patches, freeze, produce_with_patches, thaw
from rtkq._freeze import is_frozen

from ._support import canon

SETTINGS = settings(
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

scalars = st.one_of(
    st.integers(-3, 3), st.text(alphabet="ab", max_size=2), st.none(), st.booleans()
)
keys = st.sampled_from(["a", "b", "c", "d"])


def _containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4)


values = st.recursive(scalars, _containers, max_leaves=6)
documents = _containers(st.recursive(scalars, _containers, max_leaves=14))

Path = tuple[Any, ...]


def _container_paths(node: Any, path: Path = ()) -> Iterator[Path]:
    if isinstance(node, dict):
        yield path
        for key, item in node.items():
            yield from _container_paths(item, (*path, key))
    elif isinstance(node, list):
        yield path
        for index, item in enumerate(node):
            yield from _container_paths(item, (*path, index))


def _at(node: Any, path: Path) -> Any:
    for key in path:
        node = node[key]
    return node


def _sort_key(item: Any) -> str:
    return canon(item)


def _run_op(
    data: st.DataObject, draft: Any, model: Any, root_draft: Any, footprints: list[Path]
) -> None:
    """Draw one operation and apply it to the draft and to the model alike."""
    paths = list(_container_paths(model))
    path = data.draw(st.sampled_from(paths))
    m = _at(model, path)
    d = _at(root_draft, path)

    def value() -> tuple[Any, Any]:
        v = data.draw(values)
        return v, copy.deepcopy(v)

    if isinstance(m, dict):
        op = data.draw(
            st.sampled_from(
                ["set", "del", "pop", "setdefault", "update", "clear", "same", "get", "alias"]
            )
        )
        key = data.draw(keys)
        if op == "set":
            v, mv = value()
            d[key] = v
            m[key] = mv
            footprints.append((*path, key))
        elif op == "del" and key in m:
            del d[key]
            del m[key]
            footprints.append((*path, key))
        elif op == "pop":
            assert canon(d.pop(key, "missing")) == canon(m.pop(key, "missing"))
            footprints.append((*path, key))
        elif op == "setdefault":
            v, mv = value()
            assert canon(d.setdefault(key, v)) == canon(m.setdefault(key, mv))
            footprints.append((*path, key))
        elif op == "update":
            v, mv = value()
            d.update({key: v})
            m.update({key: mv})
            footprints.append((*path, key))
        elif op == "clear":
            d.clear()
            m.clear()
            footprints.append(path)
        elif op == "same" and key in m:
            d[key] = d[key]  # writing what is there changes nothing
        elif op == "get":
            assert canon(d.get(key)) == canon(m.get(key))
        elif op == "alias":
            _alias(data, d, m, key, path, root_draft, model, footprints)
        return

    size = len(m)
    op = data.draw(
        st.sampled_from(
            [
                "set",
                "del",
                "append",
                "extend",
                "insert",
                "pop",
                "pop_at",
                "remove",
                "slice",
                "del_slice",
                "sort",
                "reverse",
                "clear",
                "same",
                "alias",
            ]
        )
    )
    index = data.draw(st.integers(-size, size - 1)) if size else None
    if op == "set" and index is not None:
        v, mv = value()
        d[index] = v
        m[index] = mv
        footprints.append((*path, index % size))
    elif op == "del" and index is not None:
        del d[index]
        del m[index]
        footprints.append(path)
    elif op == "append":
        v, mv = value()
        d.append(v)
        m.append(mv)
        footprints.append((*path, "end"))
    elif op == "extend":
        vs = data.draw(st.lists(values, max_size=3))
        d.extend(vs)
        m.extend(copy.deepcopy(vs))
        footprints.append((*path, "end"))
    elif op == "insert":
        at = data.draw(st.integers(-size - 2, size + 2))
        v, mv = value()
        d.insert(at, v)
        m.insert(at, mv)
        footprints.append(path)
    elif op == "pop" and size:
        assert canon(d.pop()) == canon(m.pop())
        footprints.append(path)
    elif op == "pop_at" and index is not None:
        assert canon(d.pop(index)) == canon(m.pop(index))
        footprints.append(path)
    elif op == "remove":
        candidates = [x for x in m if not isinstance(x, (dict, list))]
        if candidates:
            target = data.draw(st.sampled_from(candidates))
            d.remove(target)
            m.remove(target)
            footprints.append(path)
    elif op in ("slice", "del_slice"):
        start = data.draw(st.integers(-size - 1, size + 1))
        stop = data.draw(st.integers(-size - 1, size + 1))
        if op == "slice":
            vs = data.draw(st.lists(values, max_size=3))
            d[start:stop] = vs
            m[start:stop] = copy.deepcopy(vs)
        else:
            del d[start:stop]
            del m[start:stop]
        footprints.append(path)
    elif op == "sort":
        reverse = data.draw(st.booleans())
        d.sort(key=_sort_key, reverse=reverse)
        m.sort(key=_sort_key, reverse=reverse)
        footprints.append(path)
    elif op == "reverse":
        d.reverse()
        m.reverse()
        footprints.append(path)
    elif op == "clear":
        d.clear()
        m.clear()
        footprints.append(path)
    elif op == "same" and index is not None:
        d[index] = d[index]
    elif op == "alias" and index is not None:
        _alias(data, d, m, index, path, root_draft, model, footprints)


def _alias(
    data: st.DataObject,
    d: Any,
    m: Any,
    key: Any,
    path: Path,
    root_draft: Any,
    model: Any,
    footprints: list[Path],
) -> None:
    """Store another container of the document at ``key``: the same object in both."""
    target = (*path, key if isinstance(key, str) else key % len(m))
    sources = [
        p for p in _container_paths(model) if p[: len(target)] != target and target[: len(p)] != p
    ]
    if not sources:
        return
    source = data.draw(st.sampled_from(sources))
    if _reaches(_at(model, source), m):
        return  # storing it would make a cycle
    d[key] = _at(root_draft, source)
    m[key] = _at(model, source)
    footprints.extend([target, source])


def _reaches(node: Any, target: Any) -> bool:
    if node is target:
        return True
    if isinstance(node, dict):
        return any(_reaches(item, target) for item in node.values())
    if isinstance(node, list):
        return any(_reaches(item, target) for item in node)
    return False


def _untouched(base: Any, footprints: list[Path]) -> Iterator[Path]:
    for path in _container_paths(thaw(base)):
        if not any(fp[: len(path)] == path or path[: len(fp)] == fp for fp in footprints):
            yield path


@SETTINGS
@given(documents, st.data())
def test_random_operations_replay_undo_and_share(doc: Any, data: st.DataObject) -> None:
    base = freeze(doc)
    before = canon(base)
    model = copy.deepcopy(doc)
    footprints: list[Path] = []
    count = data.draw(st.integers(0, 6))
    kept: list[Any] = []

    def recipe(draft: Any) -> None:
        kept.append(draft)
        for _ in range(count):
            _run_op(data, draft, model, draft, footprints)

    new, patches, inverse = produce_with_patches(base, recipe)

    assert canon(new) == canon(model)
    assert is_frozen(new)
    assert canon(apply_patches(base, patches)) == canon(new)
    assert canon(apply_patches(new, inverse)) == canon(base)
    assert canon(base) == before
    if not footprints:
        assert new is base
        assert patches == inverse == []
    for path in _untouched(base, footprints):
        assert _at(new, path) is _at(base, path), path
    try:
        len(kept[0])
    except RuntimeError as exc:
        assert "draft is finalized" in str(exc)
    else:
        raise AssertionError("a finalized draft was still usable")


@SETTINGS
@given(documents | values, values.filter(lambda v: v is not None))
def test_replacement_patches(doc: Any, replacement: Any) -> None:
    base = freeze(doc)
    new, patches, inverse = produce_with_patches(base, lambda draft: copy.deepcopy(replacement))
    assert canon(new) == canon(replacement)
    assert canon(apply_patches(base, patches)) == canon(new)
    assert canon(apply_patches(new, inverse)) == canon(base)


@SETTINGS
@given(documents, st.data())
def test_bad_patch_applies_nothing(doc: Any, data: st.DataObject) -> None:
    base = freeze(doc)
    paths = list(_container_paths(doc))
    path = data.draw(st.sampled_from(paths))
    bad_path = [*path, data.draw(st.sampled_from(["zz", 99, -1]))]
    op = data.draw(st.sampled_from(["replace", "remove"]))
    good = {"op": "replace", "path": [], "value": {"changed": True}}
    bad: dict[str, Any] = (
        {"op": op, "path": [*bad_path, "deeper"]}
        if op == "remove"
        else {
            "op": op,
            "path": bad_path,
            "value": 1,
        }
    )
    before = canon(base)
    raised: Callable[[], Any] = lambda: apply_patches(base, [bad, good])  # noqa: E731
    try:
        raised()
    except ValueError as exc:
        assert "patch 0" in str(exc)
        assert repr(bad["path"]) in str(exc)
    else:
        raise AssertionError(f"{bad} applied to {doc}")
    assert canon(base) == before
