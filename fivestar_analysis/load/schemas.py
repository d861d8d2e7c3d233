"""Column rules of the contract as pandera schemas, and their failures as DataProblems.

Cells are first parsed from text (``_collect``); these schemas then check the typed values
(ranges, signs, whole numbers). Each check's ``error`` is a problem code with its
parameters (``code:low:high``), which :func:`check_frame` turns into the clerk's message.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from fivestar_analysis.load.collect import Columns, ProblemLog

__all__ = ["LEDGER_SCHEMA", "SURVEY_SCHEMA", "check_frame"]


def _nonneg() -> pa.Check:
    return pa.Check.ge(0, error="negative_number")


def _whole() -> pa.Check:
    return pa.Check(lambda s: (s.dropna() % 1 == 0).reindex(s.index, fill_value=True),
                    element_wise=False, error="not_integer")


def _range(low: float, high: float) -> pa.Check:
    return pa.Check.in_range(low, high, error=f"out_of_range:{low}:{high}")


def _num(*checks: pa.Check) -> pa.Column:
    return pa.Column(float, list(checks), nullable=True, required=False)


LEDGER_SCHEMA = pa.DataFrameSchema(
    {
        "year": _num(_range(1949, 2100)),
        "collective_income_wan": _num(_nonneg()),
        "population": _num(_nonneg(), _whole()),
        "households": _num(_nonneg(), _whole()),
        "party_members": _num(_nonneg(), _whole()),
        "secretary_age": _num(_range(16, 100), _whole()),
        "secretary_rating": _num(_range(1, 5), _whole()),
    },
    strict=False,
)

SURVEY_SCHEMA = pa.DataFrameSchema(
    {
        "age": _num(_range(10, 120), _whole()),
        "weight": _num(pa.Check.gt(0, error="out_of_range:0:∞")),
    },
    strict=False,
)


def check_frame(typed: pd.DataFrame, schema: pa.DataFrameSchema, cols: Columns,
                log: ProblemLog) -> None:
    """Validate ``typed`` (index = spreadsheet rows) and log every failing cell."""
    present = [c for c in schema.columns if c in typed.columns]
    if not present:
        return
    try:
        schema.validate(typed[present], lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        cases = cases[cases["index"].notna()]
        for (column, check), group in cases.groupby(["column", "check"], sort=False):
            code, *args = str(check).split(":")
            params = {"low": args[0], "high": args[1]} if len(args) == 2 else {}
            rows = pd.Index(group["index"].astype(int).unique())
            cols.report(log, code, str(column), rows, **params)
