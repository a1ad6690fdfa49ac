"""The outage trials' fault proxy (core/tests/fault_proxy.py): it forwards, a cut closes the
live connections and refuses new ones, and afterwards it forwards again on the same port."""

from __future__ import annotations

import socket
import socketserver
import threading
import time

import pytest

from core.tests.fault_proxy import FaultProxy


class _Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        while data := self.request.recv(1024):
            self.request.sendall(data)


@pytest.fixture
def echo_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Echo)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield server.server_address
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def proxy(echo_server):
    with FaultProxy(*echo_server) as fault:
        yield fault


def _connect(proxy: FaultProxy) -> socket.socket:
    return socket.create_connection((proxy.host, proxy.port), timeout=2)


def _echo(sock: socket.socket, data: bytes) -> bytes:
    sock.sendall(data)
    return sock.recv(1024)


def test_it_forwards_both_ways(proxy):
    with _connect(proxy) as sock:
        assert _echo(sock, b"ping") == b"ping"


def test_a_cut_closes_live_connections_and_refuses_new_ones_for_its_length(proxy):
    live = _connect(proxy)
    assert _echo(live, b"before") == b"before"
    proxy.cut(0.5)
    assert proxy.is_cut()
    try:
        received = _echo(live, b"during")
    except OSError:  # reset: as good as closed
        received = b""
    assert received == b""
    live.close()
    with pytest.raises(ConnectionRefusedError):
        _connect(proxy)
    started = time.monotonic()
    assert proxy.wait_restored(timeout=5)
    assert time.monotonic() - started < 1.0
    with _connect(proxy) as sock:  # the same port, forwarding again
        assert _echo(sock, b"after") == b"after"
    assert len(proxy.cuts) == 1 and proxy.cuts[0][1] - proxy.cuts[0][0] >= 0.5
