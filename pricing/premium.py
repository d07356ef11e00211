"""Gross premium and money once: float CNY to integer fen to ``Decimal`` (DESIGN.md §2.9).

Pricing works in float64 CNY; the premium becomes money exactly once, here, by one named
rounding rule (:func:`to_fen`), and its components are split in integer fen so that they
sum exactly to it (:func:`allocate_fen`). :func:`fen_to_decimal` hands the fen over to the
ledgers, which are ``Decimal`` throughout (STYLE.md habit 3).
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from pricing.errors import PricingError, require_non_negative

__all__ = ["MAX_FEN", "allocate_fen", "fen_to_decimal", "gross_premium", "to_fen"]

#: ¥100 billion in fen: beyond any premium, and low enough that the float64 shares of
#: :func:`allocate_fen` stay within a fraction of a fen of the exact ones.
MAX_FEN = 10**13


def gross_premium(
    pure: np.ndarray,
    risk_load: np.ndarray,
    fixed_expense: np.ndarray,
    *,
    variable_expense: float,
    profit: float,
    minimum: float,
) -> np.ndarray:
    """``max(minimum, (pure + risk_load + fixed_expense) / (1 − variable_expense − profit))``.

    The loss-cost method of Werner & Modlin, *Basic Ratemaking* (CAS, 2016), ch. 8: the
    amounts are CNY, ``variable_expense`` and ``profit`` are shares of the gross premium.
    All broadcast together; all must be finite and >= 0, with variable_expense + profit < 1.

    >>> gross_premium(np.array([600.0, 10.0]), 100.0, 50.0,
    ...               variable_expense=0.15, profit=0.05, minimum=500.0).tolist()
    [937.5, 500.0]
    """
    named = {"pure": pure, "risk_load": risk_load, "fixed_expense": fixed_expense}
    named |= {"variable_expense": variable_expense, "profit": profit, "minimum": minimum}
    v = {name: require_non_negative(name, value) for name, value in named.items()}
    loading = v["variable_expense"] + v["profit"]
    if np.any(loading >= 1):
        bad = np.asarray(loading)[loading >= 1].flat[0]
        raise PricingError("must be < 1", field="variable_expense + profit", value=bad)
    costs = v["pure"] + v["risk_load"] + v["fixed_expense"]
    return np.maximum(v["minimum"], costs / (1 - loading))


def to_fen(amounts: np.ndarray) -> np.ndarray:
    """Float CNY to int64 fen: ⌊100x + ½⌋ of the float64 value held, computed exactly.

    The one rounding rule from pricing to money: half up, applied to the binary value the
    float holds rather than to the decimal it was typed as, and evaluated in integers, so it
    equals ``Decimal(x).quantize(Decimal("0.01"), ROUND_HALF_UP)`` for every float. 0.125
    is held exactly and becomes 13 fen; 12.345 is held as 12.34500000000000063… and becomes
    1235; 2.675 is held as 2.67499999999999982… and becomes 267. Evaluating
    ``floor(x * 100 + 0.5)`` in floats would round that product up to 267.5 first and give
    268: two roundings, and a result no longer the nearest fen to the value.
    Amounts must be finite, >= 0 and at most ``MAX_FEN`` fen.

    >>> to_fen(np.array([0.125, 12.345, 2.675, 0.0])).tolist()
    [13, 1235, 267, 0]
    """
    x = require_non_negative("amounts", amounts)
    if np.any(x > MAX_FEN / 100):
        raise PricingError(f"must be <= {MAX_FEN // 100} CNY", field="amounts", value=x.max())
    mantissa, exponent = np.frexp(x)  # x = mantissa · 2**exponent, 0.5 <= mantissa < 1
    integer = np.ldexp(mantissa, 53).astype(np.int64)  # x = integer · 2**-shift, exactly
    shift = 53 - exponent.astype(np.int64)  # >= 1 below MAX_FEN
    # 100·integer < 2**60, so no overflow; past a shift of 62, x < 2**-10 CNY: 0 fen.
    bounded = np.minimum(shift, 62)
    fen = (100 * integer + (np.int64(1) << (bounded - 1))) >> bounded
    return np.where(shift > 62, 0, fen).astype(np.int64)


def allocate_fen(total_fen: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Split each total (N,) into K int64 fen components by the weights (N, K), summing exactly.

    The largest-remainder (Hamilton) method (Balinski & Young, *Fair Representation*, 1982):
    each component first gets the floor of its exact share ``total · w_k / Σ w``; the fen
    still unallocated go one each to the largest remainders, ties to the earlier column.
    So every component is within one fen of its share, and each row sums to its total.
    Weights must be finite and >= 0; a row of zero weights puts its total in the last column.
    Rows are independent: their order changes nothing.

    >>> allocate_fen(np.array([100, 7]), np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]])).tolist()
    [[34, 33, 33], [0, 0, 7]]
    """
    totals = _totals(total_fen)
    w = require_non_negative("weights", weights)
    if w.ndim != 2 or w.shape[0] != totals.size or w.shape[1] == 0:
        raise PricingError(
            f"must have shape ({totals.size}, K >= 1)", field="weights", value=w.shape
        )
    w = w.copy()
    w[w.sum(axis=1) == 0, -1] = 1.0
    w /= w.max(axis=1, keepdims=True)  # each row's largest weight 1: sums cannot overflow
    exact = totals[:, None] * (w / w.sum(axis=1, keepdims=True))
    base = np.floor(exact).astype(np.int64)
    short = totals - base.sum(axis=1)  # in [0, K]: the shares err by < ½ fen in all below MAX_FEN
    order = np.argsort(base - exact, axis=1, kind="stable")  # largest remainder first
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(w.shape[1])[None, :], axis=1)
    return base + (rank < short[:, None])


def fen_to_decimal(fen: int) -> Decimal:
    """Integer fen to ``Decimal`` CNY, exactly: 123456 fen is ``Decimal('1234.56')``.

    >>> fen_to_decimal(123456)
    Decimal('1234.56')
    """
    if isinstance(fen, bool) or not isinstance(fen, int | np.integer):
        raise PricingError("must be an integer number of fen", field="fen", value=fen)
    return Decimal(int(fen)).scaleb(-2)


def _totals(total_fen: np.ndarray) -> np.ndarray:
    totals = np.asarray(total_fen)
    if totals.ndim != 1:
        raise PricingError("must be a 1-D array", field="total_fen", value=totals.shape)
    if totals.dtype.kind not in "iu":
        raise PricingError("must be integer fen", field="total_fen", value=totals.dtype.name)
    bad = (totals < 0) | (totals > MAX_FEN)
    if bad.any():
        raise PricingError(f"must be in [0, {MAX_FEN}]", field="total_fen", value=totals[bad][0])
    return totals.astype(np.int64)
