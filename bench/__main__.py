"""``python -m bench [NAME ...]``: run the benchmarks (all by default) and print the results.

python -m bench                      # everything, at full size (a few minutes)
python -m bench --records 5000       # a quick run
python -m bench ingest --clients 1   # only ingest, only the one-client API run
python -m bench rating aggregate     # only the pricing benchmarks (``pricing`` = ``rating``)
python -m bench quotes --quote-seconds 5 --quote-firms 20   # a quick quote load
python -m bench claims --claim-seconds 5    # a quick settlement load
python -m bench glm --glm-rows 100000      # a quick GLM comparison
python -m bench backtest                   # the rolling-origin backtest end to end
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Callable

from bench import backtest, claims, glm, ingest, pricing, quotes
from bench.claim_book import claims_per_policy
from bench.load import usable_cpus
from bench.postgres import default_server


def _ingest(args: argparse.Namespace) -> str:
    options = ingest.Options(
        server=args.server,
        records=args.records,
        batch=args.batch,
        clients=tuple(args.clients),
        firms=args.firms,
        engagements=args.engagements,
        seed=args.seed,
    )
    return ingest.report(options, ingest.run(options))


def _quotes(args: argparse.Namespace) -> str:
    options = quotes.Options(
        server=args.server,
        clients=args.quote_clients,
        seconds=args.quote_seconds,
        workers=args.quote_workers,
        firms=args.quote_firms,
        seed=args.seed,
    )
    return quotes.report(quotes.run(options))


def _claim_options(args: argparse.Namespace) -> claims.Options:
    return claims.Options(
        server=args.server,
        clients=args.claim_clients,
        seconds=args.claim_seconds,
        workers=args.claim_workers,
        policies=args.claim_policies,
        pool=args.claim_pool or 0,
        seed=args.seed,
    )


def _claims(args: argparse.Namespace) -> str:
    return claims.report(claims.run(_claim_options(args)))


def _rating(args: argparse.Namespace) -> str:
    run = pricing.run_rating(args.rating_firms, args.rating_clients, args.loop_firms, args.seed)
    return pricing.rating_report(run)


def _aggregate(args: argparse.Namespace) -> str:
    return pricing.aggregate_report(pricing.run_aggregate(args.sims, args.seed), pricing.machine())


def _glm(args: argparse.Namespace) -> str:
    return glm.glm_report(glm.run_glm(args.glm_rows, args.seed))


def _backtest(args: argparse.Namespace) -> str:
    return backtest.backtest_report(backtest.run_backtest_bench(args.seed))


DESCRIPTION = (
    "Run SecondLock's benchmarks (ingest, quotes and claims on PostgreSQL; pricing) "
    "and print the results."
)

#: Every benchmark in bench/, by name: each takes the parsed options, returns its report.
#: A report line starting with ``ERROR`` makes the command exit with status 1.
BENCHMARKS: dict[str, Callable[[argparse.Namespace], str]] = {
    "ingest": _ingest,
    "quotes": _quotes,
    "claims": _claims,
    "rating": _rating,
    "aggregate": _aggregate,
    "glm": _glm,
    "backtest": _backtest,
}
#: Other names for benchmarks.
ALIASES = {"pricing": "rating"}


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1; got {value}")
    return value


def _clients(text: str) -> list[int]:
    return [_positive(part) for part in text.split(",")]


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m bench", description=DESCRIPTION)
    root.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help=f"benchmarks to run (default: all of {', '.join(BENCHMARKS)}; pricing = rating)",
    )
    root.add_argument("--records", type=_positive, default=100_000, help="records to file")
    root.add_argument("--batch", type=_positive, default=1_000, help="records per request")
    root.add_argument(
        "--clients",
        type=_clients,
        default=[1, 2],
        help="parallel API clients to try, comma-separated (default: 1,2)",
    )
    root.add_argument("--firms", type=_positive, default=10, help="firms in the book")
    root.add_argument("--engagements", type=_positive, default=100, help="one per enterprise")
    root.add_argument("--seed", type=int, default=2026, help="seed of every benchmark's RNG")
    root.add_argument(
        "--quote-clients", type=_positive, default=20, help="closed-loop clients per endpoint"
    )
    root.add_argument(
        "--quote-seconds", type=_positive, default=30, help="measured seconds per endpoint"
    )
    root.add_argument(
        "--quote-workers",
        type=_positive,
        default=usable_cpus(),
        help="uvicorn worker processes (default: the usable CPUs)",
    )
    root.add_argument("--quote-firms", type=_positive, default=200, help="quotable firms")
    root.add_argument(
        "--claim-clients", type=_positive, default=8, help="closed-loop settling clients"
    )
    root.add_argument(
        "--claim-seconds", type=_positive, default=20, help="measured seconds per claims phase"
    )
    root.add_argument(
        "--claim-workers",
        type=_positive,
        default=usable_cpus(),
        help="uvicorn worker processes for claims (default: the usable CPUs)",
    )
    root.add_argument(
        "--claim-policies", type=_positive, default=1_000, help="ordinary policies settled on"
    )
    root.add_argument(
        "--claim-pool",
        type=_positive,
        default=None,
        help="open claims per set of policies (default: enough for "
        f"{claims.CEILING_PER_CLIENT} settlements/s a client)",
    )
    root.add_argument(
        "--rating-firms", type=_positive, default=100_000, help="firms in the rating book"
    )
    root.add_argument("--rating-clients", type=_positive, default=20, help="clients per firm")
    root.add_argument("--loop-firms", type=_positive, default=200, help="firms rated one at a time")
    root.add_argument(
        "--sims", type=_positive, default=10_000_000, help="aggregate's Monte Carlo draws"
    )
    root.add_argument(
        "--glm-rows", type=_positive, default=1_000_000, help="enterprise-years the GLMs fit"
    )
    root.add_argument(
        "--server",
        default=default_server(),
        help="SQLAlchemy URL of the PostgreSQL server, without a database name",
    )
    return root


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    """Turn ``kill`` into ``SystemExit``, so the benchmark still drops its databases and
    stops its server on the way out."""
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    args = parser().parse_args(argv)
    names = list(dict.fromkeys(ALIASES.get(name, name) for name in args.names))
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        known = ", ".join(BENCHMARKS)
        parser().error(f"no benchmark named {', '.join(unknown)}; there are: {known}")
    if args.batch > 1_000:
        parser().error("--batch: the API takes at most 1,000 records a request")
    if "claims" in (names or BENCHMARKS):
        try:
            claims_per_policy(_claim_options(args).claims, args.claim_policies)
        except ValueError as error:
            parser().error(f"--claim-pool: {error}")
    failed = False
    for name in names or list(BENCHMARKS):
        started = time.perf_counter()
        report = BENCHMARKS[name](args)
        print(report, flush=True)
        failed |= any(line.startswith("ERROR") for line in report.splitlines())
        print(f"({name} took {time.perf_counter() - started:.0f} s in all)\n", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
