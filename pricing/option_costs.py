"""The aggregate-loss step of ``rate``: E[S∧A] and TVaR_p(S∧A) of every firm under each option.

For each option, the per-claim layer of each hazard class is discretised once on the
option's lattice; then the firms go through the compound-Poisson FFT in chunks. A firm's
numbers depend only on its own expected claim counts (``aggregate.compound_poisson`` is
row-independent to the bit), so chunks may run in any order, in any process.

numpy holds the GIL through much of this work (measured: two threads ran no faster than
one), so a big batch is spread over forked worker processes instead (``PARALLEL_MIN_FIRMS``),
each receiving a chunk's claim counts and the layers (a few tens of kB) and returning two
arrays.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_context

import numpy as np

from pricing.aggregate import Grid, capped_statistics, compound_poisson, layer_pmf
from pricing.book import CoverageOption
from pricing.model import RatingModel

TASK_CELLS = 2048 * 1024  # lattice cells per task: 16 MiB of pmf, whatever the grid size
CHUNK = 2048  # firms per task on the smallest grid
MAX_GRID = 2**21  # cells: an aggregate limit of ~¥11.8 bn at ¥7,500 a cell
PARALLEL_MIN_FIRMS = 16_384  # below this, worker start-up costs more than it saves
GRID_COVER = 0.75  # the aggregate limit sits at this share of the grid; the tilt guards the rest
# Exponential tilt (Grübel & Hermesmeier 1999): e^-TILT/GRID_COVER (1.6e-6) of the mass past
# the grid wraps round; at the aggregate limit the untilt multiplies round-off by e^TILT
# (2.2e4), so cells zeroed as round-off there hold under 1e-11 of real probability.
TILT = 10.0


def option_grid(option: CoverageOption, model: RatingModel) -> Grid:
    """The lattice for one option: cells of ``model.grid_span`` CNY — the same cells for
    every option, so that on them a higher limit or a lower deductible is a larger claim in
    every outcome and the premium follows exactly — and enough of them (a power of two, at
    least ``model.grid_size``) that the aggregate limit sits inside the first
    ``GRID_COVER`` of the grid. A limit past ``MAX_GRID`` cells lies beyond the grid; the
    remote mass there counts as reaching it."""
    need = option.aggregate_limit / (GRID_COVER * model.grid_span)
    size = max(model.grid_size, 1 << max(0, math.ceil(math.log2(max(need, 1.0)))))
    size = min(size, MAX_GRID)
    return Grid(span=model.grid_span, size=size, tilt=TILT / (GRID_COVER * size))


def layer_pmfs(option: CoverageOption, model: RatingModel, grid: Grid) -> np.ndarray:
    """Classes × cells: the per-claim payment of each hazard class's severity. Defence
    inside the limits makes each claim cost (1 + k)·X before the deductible and limit.

    The layers depend only on the model, the option and the grid, and every quote of a
    standard option asks for the same ones, so the last ``LAYER_CACHE`` are kept (read-only)
    for the very model object they were made from."""
    key = (id(model), option, grid)
    cached = _LAYERS.get(key)
    if cached is not None and cached[0] is model:
        return cached[1]
    layers = _layer_pmfs(option, model, grid)
    layers.flags.writeable = False
    if len(_LAYERS) >= LAYER_CACHE:
        _LAYERS.pop(next(iter(_LAYERS)), None)
    _LAYERS[key] = (model, layers)
    return layers


LAYER_CACHE = 256
_LAYERS: dict[tuple[int, CoverageOption, Grid], tuple[RatingModel, np.ndarray]] = {}


def _layer_pmfs(option: CoverageOption, model: RatingModel, grid: Grid) -> np.ndarray:
    inside = 1.0 + model.defence_cost_ratio if option.defence_inside else 1.0
    return np.stack(
        [
            layer_pmf(
                severity.scaled(inside),
                deductible=option.deductible,
                limit=option.per_claim_limit,
                grid=grid,
            )
            for severity in model.severity
        ]
    )


def option_costs(
    claims: np.ndarray, options: Sequence[CoverageOption], model: RatingModel
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """F × O arrays of E[S∧A], TVaR_p(S∧A) and the defence paid outside the limits (CNY);
    ``claims`` is F × classes of expected claim counts."""
    shape = (len(claims), len(options))
    mean, tvar, defence = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    tasks, slots = [], []
    for o, option in enumerate(options):
        grid = option_grid(option, model)
        layers = layer_pmfs(option, model, grid)
        rows = max(1, TASK_CELLS // grid.size)
        for start in range(0, len(claims), rows):
            chunk = slice(start, start + rows)
            level = model.loads.tvar_level
            tasks.append((claims[chunk], layers, grid, option.aggregate_limit, level))
            slots.append((chunk, o))
        if not option.defence_inside:
            defence[:, o] = _defence_outside(claims, layers, grid, model.defence_cost_ratio)
    with _executor(len(claims)) as pool:
        results = pool.map(_chunk_costs, tasks) if pool else map(_chunk_costs, tasks)
        for (chunk, o), (chunk_mean, chunk_tvar) in zip(slots, results, strict=True):
            mean[chunk, o], tvar[chunk, o] = chunk_mean, chunk_tvar
    return mean, tvar, defence


def _chunk_costs(
    task: tuple[np.ndarray, np.ndarray, Grid, float, float],
) -> tuple[np.ndarray, np.ndarray]:
    claims, layers, grid, aggregate_limit, level = task
    pmf = compound_poisson(claims, layers, grid)
    stats = capped_statistics(pmf, grid, aggregate_limit, tvar_level=level, with_std=False)
    return stats.mean, stats.tvar


def _defence_outside(claims: np.ndarray, layers: np.ndarray, grid: Grid, k: float) -> np.ndarray:
    """Defence paid on top of the limits: k times each claim's layer payment, never capped
    by the aggregate limit. Summed class by class, in order."""
    layer_means = [float(np.dot(layer, grid.points)) for layer in layers]
    defence = np.zeros(len(claims))
    for c, layer_mean in enumerate(layer_means):
        defence += k * claims[:, c] * layer_mean
    return defence


@contextmanager
def _executor(firms: int) -> Iterator[Executor | None]:
    """Worker processes for a big batch in a single-threaded process (a CLI, a job, a
    notebook); ``None`` — work in this process — otherwise. Workers are forked, so they
    share the library already imported and need nothing from ``__main__``; a threaded
    process (a web server) never forks, since a fork copies only the calling thread and any
    lock another thread held stays held in the child."""
    workers = min(os.cpu_count() or 1, max(1, firms // CHUNK))
    single_threaded = threading.active_count() == 1
    if firms < PARALLEL_MIN_FIRMS or workers < 2 or not single_threaded:
        yield None
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork")) as pool:
        yield pool
