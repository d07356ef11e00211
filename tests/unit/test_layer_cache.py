"""The per-option layer cache changes no number: it returns what a fresh computation gives."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from pricing import CoverageOption, RatingModel
from pricing import option_costs as oc


@pytest.fixture
def model():
    return RatingModel.load("pl-2026.1")


def test_a_cached_layer_is_the_fresh_one_and_read_only(model):
    option = CoverageOption(per_claim_limit=1e6, aggregate_limit=3e6, deductible=1e4)
    grid = oc.option_grid(option, model)
    first = oc.layer_pmfs(option, model, grid)
    assert oc.layer_pmfs(option, model, grid) is first
    np.testing.assert_array_equal(first, oc._layer_pmfs(option, model, grid))
    with pytest.raises(ValueError):
        first[0, 0] = 1.0


def test_another_model_object_is_never_served_a_stale_layer(model):
    option = CoverageOption(per_claim_limit=1e6, aggregate_limit=3e6)
    grid = oc.option_grid(option, model)
    cached = oc.layer_pmfs(option, model, grid)
    costlier = dataclasses.replace(model, defence_cost_ratio=model.defence_cost_ratio + 0.2)
    other = oc.layer_pmfs(option, costlier, grid)
    assert other is not cached
    np.testing.assert_array_equal(other, oc._layer_pmfs(option, costlier, grid))
    assert not np.array_equal(other, cached)


def test_the_cache_stays_bounded(model):
    for limit in range(oc.LAYER_CACHE + 10):
        option = CoverageOption(per_claim_limit=1e6 + limit, aggregate_limit=3e6)
        oc.layer_pmfs(option, model, oc.option_grid(option, model))
    assert len(oc._LAYERS) <= oc.LAYER_CACHE
