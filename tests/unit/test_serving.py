"""Every worker's connections get TCP_NODELAY: the listening socket says it is TCP."""

from __future__ import annotations

import socket

from api.serving import NoDelayConfig


def test_the_worker_socket_is_labelled_tcp_so_asyncio_turns_nagle_off():
    config = NoDelayConfig("api.app:create_app", factory=True, host="127.0.0.1", port=0)
    sock = config.bind_socket()
    try:
        assert sock.family == socket.AF_INET
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.get_inheritable()
        sock.listen()
        client = socket.create_connection(sock.getsockname())
        accepted, _ = sock.accept()
        with client, accepted:
            # What asyncio checks before setting TCP_NODELAY on an accepted connection.
            assert accepted.proto == socket.IPPROTO_TCP
    finally:
        sock.close()
