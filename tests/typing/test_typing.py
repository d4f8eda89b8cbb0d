"""The user modules in ``cases/`` through both type checkers, ``mypy --strict`` and pyright.

Positive cases (``assert_type`` everywhere) must be clean; every line whose comment
starts with "type error" must be rejected, by both checkers, and no other line may be. The
README's "Typed endpoints" example and ``examples/posts_api.py`` are checked with them and
must be clean too. One run of each checker covers it all; the two run at the same time.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

CASES = Path(__file__).parent / "cases"
ROOT = Path(__file__).parents[2]
README_CASE = "readme_typed_endpoints.py"
MARK = "# type error"
BIN = Path(sys.executable).parent

Lines = set[tuple[str, int]]


def marked_lines() -> Lines:
    return {
        (path.name, number)
        for path in sorted(CASES.glob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if MARK in line
    }


def readme_example() -> str:
    """The first python block of the README's "Typed endpoints" section."""
    section = (ROOT / "README.md").read_text().split("## Typed endpoints", 1)[1]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[Lines, str]]]:
    """``{checker: (lines with an error, full output)}``."""
    readme = tmp_path_factory.mktemp("readme") / README_CASE
    readme.write_text(readme_example())
    paths = [str(CASES), str(readme), str(ROOT / "examples" / "posts_api.py")]
    mypy = subprocess.Popen(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", *paths],
        cwd=ROOT,  # the project's mypy settings (pyproject.toml) apply
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    pyright = subprocess.Popen(
        [str(BIN / "pyright"), "--outputjson", "--pythonpath", sys.executable, *paths],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    mypy_out, _ = mypy.communicate(timeout=110)
    pyright_out, pyright_err = pyright.communicate(timeout=110)
    mypy_lines = {
        (Path(match[1]).name, int(match[2]))
        for match in re.finditer(r"^(.+?\.py):(\d+): error:", mypy_out, re.M)
    }
    try:
        diagnostics = json.loads(pyright_out)["generalDiagnostics"]
    except (ValueError, KeyError):
        pytest.fail(f"pyright gave no JSON report:\n{pyright_out}\n{pyright_err}")
    pyright_lines = {
        (Path(item["file"]).name, item["range"]["start"]["line"] + 1)
        for item in diagnostics
        if item["severity"] == "error"
    }
    yield {"mypy": (mypy_lines, mypy_out), "pyright": (pyright_lines, pyright_out)}


def test_the_cases_mark_negative_lines() -> None:
    marked = marked_lines()
    assert len(marked) >= 15
    assert {name for name, _ in marked} == {"bad_calls.py"}
    assert "@api.query_fn(response_schema=Post" in readme_example()


@pytest.mark.parametrize("checker", ["mypy", "pyright"])
def test_exactly_the_marked_lines_are_rejected(
    reports: dict[str, tuple[Lines, str]], checker: str
) -> None:
    found, output = reports[checker]
    expected = marked_lines()
    assert sorted(found - expected) == [], f"unexpected {checker} errors:\n{output}"
    assert sorted(expected - found) == [], f"{checker} accepted marked lines:\n{output}"
