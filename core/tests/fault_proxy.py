"""A TCP proxy for outage tests (test-only): it forwards a local port to a dependency
(PostgreSQL, Redis, the S3 endpoint) and can cut it for a while, as a restart of that
dependency would, without touching the shared server behind it.

    proxy = FaultProxy("127.0.0.1", 5432).start()
    ... point the app (or a worker's environment) at proxy.host:proxy.port ...
    proxy.cut(4)       # every live connection closed, new ones refused, for 4 s
    proxy.wait_restored()

Threads, not asyncio: the tests that use it are synchronous, and a worker subprocess or
Django's own client must be able to talk through it while the test thread sleeps.
"""

from __future__ import annotations

import socket
import threading
import time

_CHUNK = 64 * 1024


class FaultProxy:
    def __init__(self, target_host: str, target_port: int, *, host: str = "127.0.0.1") -> None:
        self.target = (target_host, int(target_port))
        self.host = host
        self.port = 0
        self.cuts: list[tuple[float, float]] = []  # (start, end) on time.monotonic()
        self.connections_made = 0
        self._lock = threading.Lock()
        self._pairs: set[tuple[socket.socket, socket.socket]] = set()
        self._listener: socket.socket | None = None
        self._restored = threading.Event()
        self._restored.set()
        self._stopped = False

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> FaultProxy:
        self._listen()
        return self

    def stop(self) -> None:
        self._stopped = True
        self._restored.set()
        self._close_listener()
        self._close_pairs()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    # --- faults ----------------------------------------------------------------------------

    def cut(self, seconds: float, *, wait: bool = False) -> None:
        """Close every live connection and refuse new ones (the port is closed: connection
        refused, as while a server restarts) for `seconds`, then forward again. Returns at
        once unless `wait`; wait_restored() waits for the end."""
        with self._lock:
            self._restored.clear()
            started = time.monotonic()
        self._close_listener()
        self._close_pairs()
        timer = threading.Timer(seconds, self._restore, args=(started,))
        timer.daemon = True
        timer.start()
        if wait:
            self.wait_restored()

    def is_cut(self) -> bool:
        return not self._restored.is_set()

    def wait_restored(self, timeout: float | None = None) -> bool:
        return self._restored.wait(timeout)

    def _restore(self, started: float) -> None:
        if self._stopped:
            return
        self._listen()
        with self._lock:
            self.cuts.append((started, time.monotonic()))
            self._restored.set()

    # --- plumbing --------------------------------------------------------------------------

    def _listen(self) -> None:
        last_error: OSError | None = None
        for _ in range(50):  # the same port again after a cut (SO_REUSEADDR: no TIME_WAIT wait)
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                listener.bind((self.host, self.port))
            except OSError as exc:
                listener.close()
                last_error = exc
                time.sleep(0.05)
                continue
            listener.listen(128)
            listener.settimeout(0.1)  # the accept loop notices a cut or a stop within 0.1 s
            self.port = listener.getsockname()[1]
            self._listener = listener
            threading.Thread(target=self._accept_loop, args=(listener,), daemon=True).start()
            return
        raise RuntimeError(f"the fault proxy could not listen on {self.host}:{self.port} again") from last_error

    def _close_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            # shutdown first: close() alone leaves the port listening until the accept
            # loop's poll() lets go of the socket, and a connect in between would succeed.
            _close(listener)

    def _close_pairs(self) -> None:
        with self._lock:
            pairs, self._pairs = self._pairs, set()
        for pair in pairs:
            for sock in pair:
                _close(sock)

    def _accept_loop(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:  # closed by a cut or a stop
                return
            if self._listener is not listener:
                _close(client)
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _close(client)
                continue
            upstream.settimeout(None)
            client.settimeout(None)
            pair = (client, upstream)
            with self._lock:
                if not self._restored.is_set() or self._stopped:
                    _close(client)
                    _close(upstream)
                    continue
                self._pairs.add(pair)
                self.connections_made += 1
            threading.Thread(target=self._pump, args=(client, upstream, pair), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, pair), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, pair) -> None:
        try:
            while True:
                data = src.recv(_CHUNK)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        # One side ended: end both (a half-open relay would hide the outage from the client).
        with self._lock:
            self._pairs.discard(pair)
        _close(src)
        _close(dst)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked in recv() on it
    except OSError:
        pass
    sock.close()
