"""One error hierarchy: everything the package raises on purpose is a FivestarError."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import fivestar_analysis
from fivestar_analysis.errors import FivestarError, InvalidArgument, UnknownName

PACKAGE = Path(fivestar_analysis.__file__).parent


def _modules():
    for info in pkgutil.walk_packages([str(PACKAGE)], prefix="fivestar_analysis."):
        if info.name.endswith(("__main__",)):
            continue
        yield importlib.import_module(info.name)


def test_every_exception_class_is_a_fivestar_error():
    classes = {obj for mod in _modules() for _, obj in inspect.getmembers(mod, inspect.isclass)
               if issubclass(obj, BaseException) and obj.__module__.startswith("fivestar_analysis")}
    assert classes, "the package defines exception classes"
    assert {c.__name__ for c in classes if not issubclass(c, FivestarError)} == set()


def test_no_bare_builtin_raises_in_the_package():
    bare = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and isinstance(
                    node.exc.func, ast.Name) and node.exc.func.id in (
                    "ValueError", "KeyError", "TypeError", "RuntimeError", "Exception"):
                bare.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert bare == []


def test_errors_stay_catchable_as_the_builtins_callers_expect():
    from fivestar_analysis.model.rubric import load_rubric

    rubric = load_rubric()
    with pytest.raises(UnknownName) as info:
        rubric.star("rural", "no_such_star")
    assert isinstance(info.value, KeyError) and "no_such_star" in str(info.value)
    assert issubclass(InvalidArgument, ValueError)
