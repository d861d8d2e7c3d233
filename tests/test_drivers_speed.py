"""Issue 15 (speed) in the driver analysis: the cheaper computations give what the plain
ones give, to the bit where they promise it."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from statsmodels.miscmodels.ordinal_model import OrderedModel

from fivestar_analysis.analysis.drivers import analyse_drivers
from fivestar_analysis.analysis.drivers.branch import _ordered_logit
from fivestar_analysis.analysis.drivers.survey import _branch_moments


def test_ordered_logit_is_statsmodels_ordered_model_with_logit():
    rng = np.random.default_rng(3)
    n = 300
    x = pd.DataFrame({"a": rng.normal(size=n), "b": rng.integers(1, 6, n).astype(float)})
    latent = 0.8 * x["a"] + 0.4 * x["b"] + rng.logistic(size=n)
    y = pd.Series(pd.Categorical(np.digitize(latent, [0.5, 1.5, 2.5]), ordered=True))
    groups = rng.integers(0, 12, n)
    fits = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for cls in (OrderedModel, _ordered_logit()):
            fits.append(cls(y, x, distr="logit").fit(
                method="bfgs", disp=0, maxiter=300, cov_type="cluster",
                cov_kwds={"groups": groups}))
    ours, theirs = fits[1], fits[0]
    assert np.array_equal(ours.params, theirs.params)
    assert np.array_equal(ours.bse, theirs.bse)
    assert ours.prsquared == theirs.prsquared
    z = np.array([-np.inf, -800.0, -1.0, -0.0, 0.0, 2.5, 800.0, np.inf, np.nan])
    assert np.array_equal(ours.model.cdf(z), theirs.model.cdf(z), equal_nan=True)


def test_branch_moments_are_np_add_at_to_the_bit():
    rng = np.random.default_rng(5)
    n, p, n_b = 2000, 6, 37
    m = np.column_stack([np.ones(n), rng.integers(1, 6, (n, p - 1)) + rng.random((n, p - 1))])
    w = rng.gamma(2.0, 0.6, n)
    codes = rng.integers(0, n_b, n)
    codes[:n_b] = np.arange(n_b)  # every branch present
    expected = np.zeros((n_b, p, p))
    np.add.at(expected, codes, w[:, None, None] * m[:, :, None] * m[:, None, :])
    assert np.array_equal(_branch_moments(m, w, codes, n_b), expected)


def test_report_drivers_equal_drivers_on_their_own():
    """describe_county computes the drivers with the survey tables' shared scores; the
    result is what analyse_drivers gives on its own."""
    import fivestar_analysis as fa
    from fivestar_analysis.describe.county import describe_county
    from fivestar_analysis.render.notebook import resolve_data_dir

    county = fa.load_county(resolve_data_dir(None))
    rep = describe_county(county)
    alone = analyse_drivers(county)
    for name, table in alone.tables().items():
        pd.testing.assert_frame_equal(rep.drivers.tables()[name], table, check_exact=True)
    assert rep.drivers.survey_info == alone.survey_info


@pytest.mark.parametrize("bootstrap", [0, 40])
def test_key_drivers_twice_in_a_row_are_the_same(bootstrap):
    from fivestar_analysis.analysis.drivers import key_drivers
    from tests.test_drivers import _planted_survey

    county = _planted_survey()
    a, _ = key_drivers(county, bootstrap=bootstrap)
    b, _ = key_drivers(county, bootstrap=bootstrap)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
