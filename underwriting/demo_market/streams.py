"""Reproducible randomness for the demo market: one independent stream per part of the
market, and the few draws every part shares.

Each part (firms, enterprises, visits, …) draws from its own generator, seeded by the market
seed and the part's name, so that the draws of one part never shift those of another and
the same seed always gives the same market.
"""

from __future__ import annotations

import zlib

import numpy as np


def random_stream(seed: int, purpose: str) -> np.random.Generator:
    """The generator for ``purpose`` (e.g. ``"visits"``) in the market of ``seed``."""
    return np.random.default_rng([seed, zlib.crc32(purpose.encode("utf-8"))])


def categorical_draws(weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One index per row of a (rows × categories) matrix of non-negative weights, drawn with
    probability proportional to the row's weights (inverse CDF, vectorised)."""
    cumulative = np.cumsum(weights, axis=1)
    u = rng.random(len(weights)) * cumulative[:, -1]
    return np.minimum((cumulative <= u[:, None]).sum(axis=1), weights.shape[1] - 1)


def logistic(x: np.ndarray | float) -> np.ndarray:
    """1 / (1 + e^-x): turns a latent score into a probability."""
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))
