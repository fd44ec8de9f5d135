"""A row rule run once per distinct combination of its inputs, over whole columns.

Inventories repeat themselves: the same OS name, version, type and vendor on thousands of
rows. A rule that reads several fields of a row (classification, scores, end of support,
identity derivation) is applied to each distinct combination of its inputs once, and the
results are joined back in row order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import polars as pl

Rule = Callable[[tuple[Any, ...]], tuple[Any, ...]]


def per_combination(
    inputs: pl.DataFrame,
    outputs: Mapping[str, pl.DataType | type[pl.DataType]],
    rule: Rule,
    needed: pl.Series | None = None,
) -> pl.DataFrame:
    """``rule(combination)`` once per distinct row of ``inputs`` (where ``needed``, null
    elsewhere): a frame of the ``outputs`` columns, row for row with ``inputs``."""
    keys = inputs.columns
    chosen = inputs if needed is None else inputs.filter(needed)
    distinct = chosen.unique()
    results = [rule(combination) for combination in distinct.iter_rows()]
    table = distinct.with_columns(
        pl.Series(name, [result[i] for result in results], dtype=dtype)
        for i, (name, dtype) in enumerate(outputs.items())
    )
    if needed is None:
        joined = inputs.join(table, on=keys, how="left", nulls_equal=True, maintain_order="left")
        return joined.select(list(outputs))
    joined = inputs.with_columns(needed.alias("__needed")).join(
        table, on=keys, how="left", nulls_equal=True, maintain_order="left"
    )
    return joined.select(
        pl.when(pl.col("__needed")).then(pl.col(name)).alias(name) for name in outputs
    )
