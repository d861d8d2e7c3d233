"""Design-based survey inference: Taylor linearisation over primary sampling units.

Respondents are sampled branch by branch, and answers within a branch are alike, so a
survey's information is closer to its number of branches than to its number of people.
Every estimate here treats the branch (or what ``county.yaml`` names) as the primary
sampling unit (PSU), as R's ``survey`` package, Stata's ``svy`` and ``samplics`` do:

* a (weighted) mean ``ȳ = Σ w y / Σ w`` has the linearised variable
  ``z_i = w_i (y_i − ȳ) / Σ w``; its variance is the with-replacement variance of the PSU
  totals of z, ``v = Σ_h (1 − f_h) n_h / (n_h − 1) Σ_j (z_hj − z̄_h)²`` over strata h with
  n_h sampled PSUs (``f_h`` the first-stage sampling fraction with ``fpc``, else 0; a
  stratum with a single PSU is centred on the overall mean of PSU totals, R's
  ``survey.lonely.psu = "adjust"``);
* a subgroup (domain) keeps the whole design: z is 0 outside it;
* the interval is ``ȳ ± t(df) · √v`` with ``df = #PSU − #strata`` among the PSUs that hold
  the subgroup (at least 1);
* ``deff = v / (s² / n)``, the design variance over the variance of a simple random sample
  of the same size (s² the weighted variance), and the effective n is ``n / deff``;
* proportions take the Wilson interval on that effective n (a documented equivalent of
  the linearised interval that stays inside [0, 1]);
* group means: the adjusted Wald F test (Stata's ``test`` after ``svy: mean, over()``),
  also on weighted ranks (R's ``svyranktest``); a cross-table: the Rao–Scott second-order
  chi-square (R's ``svychisq(statistic = "F")``).

``design: srs`` gives back exactly the older figures (:func:`weighted_mean_ci`,
:func:`weighted_proportion_ci` on Kish's effective n), with ``deff`` the weighting effect
``n / n_eff`` (1 without weights).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from fivestar_analysis.analysis.stats import (
    MEAN_KEYS,
    PROPORTION_KEYS,
    t_interval,
    weighted_mean_ci,
    weighted_proportion_ci,
    wilson_interval,
)
from fivestar_analysis.errors import InvalidArgument
from fivestar_analysis.model.county import County
from fivestar_analysis.model.survey_design import SurveyDesign

__all__ = [
    "DESIGN_MEAN_KEYS",
    "DESIGN_PROPORTION_KEYS",
    "BoundDesign",
    "bind_design",
    "county_design",
    "design_label",
    "group_codes",
    "with_design_columns",
]

#: keys of :meth:`BoundDesign.mean`: those of every mean estimator, then se, deff, df
DESIGN_MEAN_KEYS = (*MEAN_KEYS, "se", "deff", "df")
DESIGN_PROPORTION_KEYS = (*PROPORTION_KEYS, "se", "deff", "df")
_PSU_COLUMN = {"branch": "branch_id"}
_STRATA_COLUMN = {"township": "township"}


def county_design(county: County, design: SurveyDesign | str | dict | None = None
                  ) -> SurveyDesign:
    """The design to use: ``design`` if given, else the county's, else PSU = branch."""
    if isinstance(design, SurveyDesign):
        return design
    if design is not None:
        return SurveyDesign.from_spec(design)
    return getattr(county.meta, "survey_design", None) or SurveyDesign()


def with_design_columns(frame: pd.DataFrame, county: County, design: SurveyDesign
                        ) -> pd.DataFrame:
    """``frame`` (keyed by respondent_id) with the design's weight column when it is not
    the standard ``weight`` one (taken from the survey)."""
    col = design.weights
    if design.is_srs or col in frame.columns or county.survey is None:
        return frame
    if col not in county.survey.columns:
        raise InvalidArgument(f"the survey has no weight column {col!r} (survey.design.weights)")
    extra = pd.DataFrame({"respondent_id": county.survey["respondent_id"].astype(str),
                          col: pd.to_numeric(county.survey[col], errors="coerce")})
    return frame.merge(extra, on="respondent_id", how="left")


def design_label(design: SurveyDesign, language: str = "zh") -> str:
    """A short description of the design for a method note, from the label resources."""
    from fivestar_analysis.model.labels import label

    if design.is_srs:
        return label("design_srs", language)
    text = label("design_cluster", language)
    if design.strata:
        text += label("design_strata", language)
    if design.fpc:
        text += label("design_fpc", language)
    return text


def group_codes(groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(codes, labels)`` of group labels in order of first appearance, -1 for none.

    Labels may be any values (None/NaN: no group) or, already factorised, integer codes
    (a negative code: no group), which are not hashed again."""
    g = np.asarray(groups)
    if g.dtype.kind in "iu":
        codes = np.full(g.size, -1, dtype=np.int64)
        valid = g >= 0
        codes[valid], uniques = pd.factorize(g[valid])
        return codes, np.asarray(uniques)
    codes, uniques = pd.factorize(pd.Series(groups, dtype=object), use_na_sentinel=True)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def _codes(values: pd.Series) -> tuple[np.ndarray, int]:
    """Codes 0.. in order of first appearance; each missing value a unit of its own."""
    categorical = isinstance(values.dtype, pd.CategoricalDtype)  # factorised once already
    codes, uniques = group_codes(values.cat.codes.to_numpy() if categorical else values)
    if (codes < 0).any():  # a respondent without PSU or stratum is a unit of their own
        missing = np.flatnonzero(codes < 0)
        codes[missing] = len(uniques) + np.arange(missing.size)
    return codes, int(codes.max() + 1) if codes.size else 0


@dataclass(frozen=True)
class BoundDesign:
    """A design bound to the rows of one respondent frame (arrays in frame order)."""

    design: SurveyDesign
    weight: np.ndarray      # per row (NaN or <= 0: the row counts nowhere)
    psu: np.ndarray         # per row: PSU code 0..n_psu-1
    psu_stratum: np.ndarray  # per PSU: stratum code
    psu_scale: np.ndarray   # per PSU: (1 - f_h) n_h / (n_h - 1); 1 for a lonely PSU
    lonely: np.ndarray      # per PSU: True when its stratum has one PSU

    @property
    def n_psu(self) -> int:
        return int(self.psu_stratum.size)

    @cached_property
    def _centres(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per PSU its centre group (its stratum; one group past the strata for a lonely
        PSU, centred on the grand mean), PSUs per stratum, and the scales per group."""
        n_strata = int(self.psu_stratum.max()) + 1 if self.psu_stratum.size else 0
        group = np.where(self.lonely, n_strata, self.psu_stratum)
        n_h = np.bincount(self.psu_stratum, minlength=n_strata).astype("float64")
        sigma = np.bincount(group, weights=self.psu_scale, minlength=n_strata + 1)
        return group, n_h, sigma

    def domain_variance(self, rows: np.ndarray, z: np.ndarray) -> tuple[float, float]:
        """Variance of the total of ``z`` (one value per row of ``rows``, 0 elsewhere) and
        the degrees of freedom of those rows' PSUs (:meth:`df_of`).

        Equal to ``vcov`` of the full-length variable, computed from the domain's PSUs
        only: the others have a total of 0 and add ``s_i c_h²`` each, summed per stratum.
        """
        psus, inv = np.unique(self.psu[rows], return_inverse=True)
        t = np.bincount(inv, weights=z, minlength=psus.size)
        group, n_h, sigma = self._centres
        n_strata = n_h.size
        strata = self.psu_stratum[psus]
        centre = np.append(np.bincount(strata, weights=t, minlength=n_strata) / n_h,
                           t.sum() / self.n_psu)
        g = group[psus]
        s = self.psu_scale[psus]
        rest = sigma - np.bincount(g, weights=s, minlength=n_strata + 1)
        v = float((s * (t - centre[g]) ** 2).sum() + (rest * centre**2).sum())
        df = self._df_of_psus(psus)
        return v, df

    def vcov(self, z: np.ndarray, active: np.ndarray | None = None) -> np.ndarray:
        """Covariance matrix of the totals of the linearised variables ``z`` (rows × k)."""
        z = np.nan_to_num(z if z.ndim == 2 else z[:, None])
        t = np.column_stack([np.bincount(self.psu, weights=z[:, j], minlength=self.n_psu)
                             for j in range(z.shape[1])])
        return self.vcov_totals(t)

    def vcov_totals(self, t: np.ndarray) -> np.ndarray:
        """Covariance matrix from the PSU totals ``t`` (PSUs × k) of linearised variables:
        ``Σ_i s_i (t_i − c_i)(t_i − c_i)'`` with ``c_i`` the mean of the PSU's stratum (the
        grand mean for a lonely PSU) and ``s_i`` its scale."""
        strata = self.psu_stratum
        n_h = np.bincount(strata).astype("float64")
        sums = np.stack([np.bincount(strata, weights=t[:, j], minlength=n_h.size)
                         for j in range(t.shape[1])], axis=1)
        centre = sums[strata] / n_h[strata, None]
        centre[self.lonely] = t.mean(axis=0)  # lonely PSU: centred on the grand mean
        d = t - centre
        scale = self.psu_scale
        return (d * scale[:, None]).T @ d

    def df_of(self, rows: np.ndarray) -> float:
        """Degrees of freedom of the rows' PSUs: #PSU − #strata (at least 1)."""
        return self._df_of_psus(np.unique(self.psu[rows]))

    def _df_of_psus(self, psus: np.ndarray) -> float:
        strata = np.unique(self.psu_stratum[psus])
        return float(max(psus.size - strata.size, 1))

    def _rows(self, y: np.ndarray, domain: np.ndarray | None) -> np.ndarray:
        """Positions (ascending) of the rows of ``domain`` (a mask or positions, default
        all) with a finite value and a positive weight."""
        if domain is None:
            idx = np.arange(y.size)
        else:
            domain = np.asarray(domain)
            idx = np.flatnonzero(domain) if domain.dtype == bool else domain.astype(np.int64)
        w = self.weight[idx]
        return idx[np.isfinite(y[idx]) & np.isfinite(w) & (w > 0)]

    def mean(self, values: np.ndarray, domain: np.ndarray | None = None,
             confidence: float = 0.95) -> dict[str, float]:
        """Mean of ``values`` (NaN ignored) over the rows in ``domain`` (a boolean mask or
        ascending row positions; default: all).

        Returns :data:`DESIGN_MEAN_KEYS`. Under ``srs`` the first six keys are exactly
        those of :func:`weighted_mean_ci`. The work is proportional to the domain's rows
        (and the number of PSUs), so thousands of small domains stay cheap.
        """
        y = np.asarray(values, dtype="float64")
        idx = self._rows(y, domain)
        yr, wr = y[idx], self.weight[idx]
        base = weighted_mean_ci(yr, wr, confidence)
        n = base["n"]
        if self.design.is_srs or n < 2 or not np.isfinite(base["sd"]):
            deff = n / base["n_eff"] if base["n_eff"] > 0 else math.nan
            se = (base["sd"] / math.sqrt(base["n_eff"])
                  if base["n_eff"] > 0 and np.isfinite(base["sd"]) else math.nan)
            return {**base, "se": se, "deff": deff if n else math.nan,
                    "df": base["n_eff"] - 1.0 if n else math.nan}
        m = base["estimate"]
        sw = float(wr.sum())
        v, df = self.domain_variance(idx, wr * (yr - m) / sw)
        se = math.sqrt(max(v, 0.0))
        s2 = float((wr * (yr - m) ** 2).sum() / wr.sum()) * n / (n - 1.0)
        deff = v / (s2 / n) if s2 > 0 else math.nan
        lo, hi = t_interval(m, se, df, confidence) if se > 0 else (m, m)
        n_eff = n / deff if deff and np.isfinite(deff) and deff > 0 else float(n)
        return {"n": n, "n_eff": n_eff, "estimate": m, "sd": base["sd"], "ci_low": lo,
                "ci_high": hi, "se": se, "deff": deff, "df": df}

    def proportion(self, hits: np.ndarray, domain: np.ndarray | None = None,
                   confidence: float = 0.95) -> dict[str, float]:
        """Share of 1 among ``hits`` (1/0, NaN ignored): :data:`DESIGN_PROPORTION_KEYS`.

        The interval is Wilson's on the design's effective n (``n / deff``); under ``srs``
        it is :func:`weighted_proportion_ci` exactly.
        """
        h = np.asarray(hits, dtype="float64")
        rows = self._rows(h, domain)
        base = weighted_proportion_ci(h[rows], self.weight[rows], confidence)
        if self.design.is_srs or base["n"] < 2:
            ne = base["n_eff"]
            p = base["estimate"]
            se = math.sqrt(p * (1 - p) / ne) if ne > 0 and np.isfinite(p) else math.nan
            return {**base, "se": se, "deff": base["n"] / ne if ne > 0 else math.nan,
                    "df": ne - 1.0 if base["n"] else math.nan}
        m = self.mean(h, rows, confidence)
        p, deff = m["estimate"], m["deff"]
        n_eff = base["n"] / deff if np.isfinite(deff) and deff > 0 else float(base["n"])
        if p in (0.0, 1.0):  # no spread at all: as a simple random sample of n
            n_eff = float(base["n"])
        lo, hi = wilson_interval(p * n_eff, n_eff, confidence)
        return {"n": base["n"], "n_eff": n_eff, "count": base["count"], "estimate": p,
                "ci_low": lo, "ci_high": hi, "se": m["se"], "deff": deff, "df": m["df"]}

    def domain_means(self, values: np.ndarray, groups: np.ndarray
                     ) -> tuple[list, np.ndarray, np.ndarray, np.ndarray]:
        """Means of ``values`` in each group with their joint linearised covariance
        (:func:`~fivestar_analysis.analysis.survey.design_tests.domain_means`)."""
        from fivestar_analysis.analysis.survey.design_tests import domain_means

        return domain_means(self, values, groups)

    def wald_means(self, values: np.ndarray, groups: np.ndarray) -> dict[str, float]:
        """Design-based adjusted Wald F test of equal group means
        (:func:`~fivestar_analysis.analysis.survey.design_tests.wald_means`)."""
        from fivestar_analysis.analysis.survey.design_tests import wald_means

        return wald_means(self, values, groups)

    def rank_test(self, values: np.ndarray, groups: np.ndarray) -> dict[str, float]:
        """Design-based Kruskal–Wallis on weighted mid-ranks
        (:func:`~fivestar_analysis.analysis.survey.design_tests.rank_test`)."""
        from fivestar_analysis.analysis.survey.design_tests import rank_test

        return rank_test(self, values, groups)

    def rao_scott(self, rows_var: np.ndarray, cols_var: np.ndarray) -> dict[str, float]:
        """Rao–Scott second-order corrected chi-square of a cross-table
        (:func:`~fivestar_analysis.analysis.survey.design_tests.rao_scott`)."""
        from fivestar_analysis.analysis.survey.design_tests import rao_scott

        return rao_scott(self, rows_var, cols_var)


def bind_design(frame: pd.DataFrame, design: SurveyDesign,
                branches: pd.DataFrame | None = None) -> BoundDesign:
    """Bind a design to a respondent frame (``respondent_frame`` or ``score_respondents``).

    ``branches`` (the ledger of the report year) gives the number of branches of each
    stratum for the finite population correction.
    """
    wcol = design.weights
    if wcol not in frame.columns:
        if wcol != "weight":
            raise InvalidArgument(f"the survey has no weight column {wcol!r}")
        weight = np.ones(len(frame))
    else:
        weight = pd.to_numeric(frame[wcol], errors="coerce").to_numpy(dtype="float64")
    if design.is_srs or design.psu == "none":
        psu, n_psu = np.arange(len(frame), dtype=np.int64), len(frame)
    else:
        psu, n_psu = _codes(frame[_PSU_COLUMN[design.psu]])
    if design.strata and not design.is_srs:
        col = _STRATA_COLUMN[design.strata]
        strata, _ = _codes(frame[col])
        first = np.full(n_psu, -1, dtype=np.int64)
        first[psu[::-1]] = strata[::-1]  # a PSU's stratum: that of its first row
        psu_stratum, _ = _codes(pd.Series(first))
    else:
        psu_stratum = np.zeros(n_psu, dtype=np.int64)
    n_h = np.bincount(psu_stratum).astype("float64")
    per = n_h[psu_stratum]
    lonely = per < 2
    scale = np.where(lonely, 1.0, per / np.maximum(per - 1.0, 1.0))
    if design.fpc and not design.is_srs:
        scale = scale * (1.0 - _sampling_fraction(frame, design, psu, psu_stratum, branches))
    return BoundDesign(design=design, weight=weight, psu=psu, psu_stratum=psu_stratum,
                       psu_scale=scale, lonely=lonely)


def _sampling_fraction(frame: pd.DataFrame, design: SurveyDesign, psu: np.ndarray,
                       psu_stratum: np.ndarray, branches: pd.DataFrame | None) -> np.ndarray:
    """Per PSU: sampled branches of its stratum over the ledger's branches there."""
    if branches is None:
        raise InvalidArgument("fpc needs the ledger's branches of the report year")
    n_psu = psu_stratum.size
    first_row = np.full(n_psu, -1, dtype=np.int64)
    first_row[psu[::-1]] = np.arange(psu.size)[::-1]
    if design.strata:
        col = _STRATA_COLUMN[design.strata]
        totals = branches.groupby(col, observed=True)["branch_id"].nunique()
        key = frame[col].astype(object).to_numpy()[first_row]
        big_n = pd.Series(key).map(totals).to_numpy(dtype="float64")
    else:
        big_n = np.full(n_psu, float(branches["branch_id"].nunique()))
    small_n = np.bincount(psu_stratum).astype("float64")[psu_stratum]
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(big_n > 0, small_n / big_n, 0.0)
    return np.clip(np.nan_to_num(f), 0.0, 1.0)
