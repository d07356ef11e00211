"""The API under test: uvicorn in a subprocess over one database, stopped on the way out."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
STARTUP_SECONDS = 60.0
STOP_SECONDS = 10.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on at the moment of asking."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def command(port: int, workers: int = 1) -> list[str]:
    """``secondlock serve``: the way production serves the API, worker sockets and all."""
    return [
        sys.executable,
        "-m",
        "api.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]


@contextmanager
def serving(database_url: str, workers: int = 1) -> Iterator[int]:
    """Start ``secondlock serve --workers workers`` over ``database_url``; yield its port
    once ``GET /healthz`` answers 200; terminate it afterwards (also on failure or Ctrl-C)."""
    port = free_port()
    env = os.environ | {"DATABASE_URL": database_url, "SECONDLOCK_DATABASE_URL": database_url}
    process = subprocess.Popen(command(port, workers), cwd=ROOT, env=env)
    try:
        _wait_healthy(process, f"http://127.0.0.1:{port}")
        yield port
    finally:
        _stop(process)


@contextmanager
def api_server(database_url: str) -> Iterator[str]:
    """``serving`` with one worker; yields its base URL."""
    with serving(database_url) as port:
        yield f"http://127.0.0.1:{port}"


def _wait_healthy(process: subprocess.Popen[bytes], base: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited with status {process.returncode} at startup")
        try:
            if httpx.get(f"{base}/healthz", timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the API at {base} was not healthy within {STARTUP_SECONDS:.0f} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
