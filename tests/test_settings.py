"""Typed settings: packaged defaults, deep-merged overrides, refused mistakes."""

from __future__ import annotations

import pytest

from fivestar_analysis.analysis.stars import thresholds
from fivestar_analysis.errors import InvalidArgument
from fivestar_analysis.model.settings import deep_merge, star_thresholds


def test_deep_merge_keeps_siblings_at_every_depth():
    base = {"a": {"x": 1, "y": {"p": 1, "q": 2}}, "b": 3}
    merged = deep_merge(base, {"a": {"y": {"q": 9}}, "c": 4})
    assert merged == {"a": {"x": 1, "y": {"p": 1, "q": 9}}, "b": 3, "c": 4}
    assert base["a"]["y"]["q"] == 2, "the defaults are not modified"


def test_overrides_merge_into_the_packaged_thresholds():
    th = thresholds({"lowest_star": {"high_below": 0.2}})
    assert th["lowest_star"] == {"high_below": 0.2, "medium_below": 0.5}
    assert th["lagging_township"]["alpha"] == 0.05
    assert star_thresholds().lagging_township.min_branches == 3


@pytest.mark.parametrize("overrides,needle", [
    ({"lowest_star": {"high_bellow": 0.2}}, "high_bellow"),
    ({"lagging_township": {"alpha": 5}}, "lagging_township.alpha"),
    ({"weak_lax": {"high_from": 1.5}}, "weak_lax.high_from"),
    ({"no_such_section": {}}, "no_such_section"),
])
def test_mistakes_in_overrides_are_refused_by_name(overrides, needle):
    with pytest.raises(InvalidArgument) as info:
        thresholds(overrides)
    assert needle in str(info.value)
