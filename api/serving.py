"""Serving the app with uvicorn, one process or several, with Nagle's algorithm off.

With ``--workers N`` uvicorn binds the listening socket itself as ``socket(family)``, whose
protocol number is 0; asyncio turns TCP_NODELAY on only for sockets that say
``IPPROTO_TCP``, so every worker's keep-alive responses wait on Nagle's algorithm and the
peer's delayed ACK — about 40 ms a response, measured by ``bench quotes`` (uvicorn issue
Kludex/uvicorn#3149). ``NoDelayConfig`` hands uvicorn the same socket labelled TCP.
"""

from __future__ import annotations

import socket

import uvicorn
from uvicorn.supervisors import Multiprocess

APP = "api.app:create_app"


class NoDelayConfig(uvicorn.Config):
    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return sock
        tcp = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
        tcp.set_inheritable(True)
        return tcp


def serve(*, host: str, port: int, workers: int, log_level: str = "info") -> None:
    """Serve ``create_app`` until interrupted; ``workers`` > 1 forks that many processes."""
    config = NoDelayConfig(
        APP, factory=True, host=host, port=port, workers=workers, log_level=log_level
    )
    if workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.Server(config).run()
