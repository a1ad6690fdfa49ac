"""Change stamps: a number per key that changes whenever the thing it names changes, read
by every process on the machine (or the cluster) for almost nothing.

A process keeps what it read (a job's status, a token's user) in its own memory together
with the stamp it saw *before* reading the database; the copy is good while the stamp is
unchanged. A writer bumps the stamp after its change is committed (and once at once,
for readers inside the same transaction). A reader that raced the writer stored the stamp
from before the bump, so its copy is already stale: no reader can keep a state older than
the last committed change.

Where the stamps live:
- scaled out (`CONTENTIZER_CHANGE_STAMPS = "cache"`): the shared cache (Redis), one GET;
- the embedded default (a path, or "" for the SQLite file + ".stamps"): a memory-mapped file
  of 65,536 eight-byte counters, shared by every process on this machine; a read is a few
  hundred nanoseconds. The DatabaseCache would cost a SQLite query per read, as much as
  reading the row itself, which is what this is meant to avoid.

Keys hash into slots: two keys sharing a slot only cause an extra re-read, never a stale one.
"""

from __future__ import annotations

import fcntl
import mmap
import os
import secrets
import struct
import threading
import zlib

from django.conf import settings
from django.core.cache import cache
from django.db import connections, transaction

SLOTS = 1 << 16
_SLOT = struct.Struct("<Q")


class _FileStamps:
    def __init__(self, path: str) -> None:
        self.path = path
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if os.fstat(fd).st_size < SLOTS * _SLOT.size:
                os.ftruncate(fd, SLOTS * _SLOT.size)
            fcntl.flock(fd, fcntl.LOCK_UN)
            self.map = mmap.mmap(fd, SLOTS * _SLOT.size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd

    @staticmethod
    def _offset(key: str) -> int:
        return (zlib.crc32(key.encode()) % SLOTS) * _SLOT.size

    def read(self, key: str) -> int:
        return _SLOT.unpack_from(self.map, self._offset(key))[0]

    def bump(self, key: str) -> None:
        offset = self._offset(key)
        # The lock makes every bump a new value even when two processes bump at once.
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        try:
            _SLOT.pack_into(self.map, offset, (_SLOT.unpack_from(self.map, offset)[0] + 1) % (1 << 64))
        finally:
            fcntl.flock(self.fd, fcntl.LOCK_UN)


class _CacheStamps:
    PREFIX = "stamp:"

    def read(self, key: str) -> int:
        return cache.get(self.PREFIX + key, 0)

    def bump(self, key: str) -> None:
        # A fresh random value rather than INCR: correct on any cache backend, and a
        # missing key (evicted) reads as 0, which no bump writes.
        cache.set(self.PREFIX + key, secrets.randbits(63) | 1, timeout=None)


_lock = threading.Lock()
_file_stamps: dict[str, _FileStamps] = {}
_cache_stamps = _CacheStamps()


def _backend() -> _FileStamps | _CacheStamps:
    where = settings.CONTENTIZER_CHANGE_STAMPS
    if where == "cache":
        return _cache_stamps
    if not where:
        # Next to the SQLite database in use (tests run on their own file, so do their stamps).
        where = f"{connections['default'].settings_dict['NAME']}.stamps"
    stamps = _file_stamps.get(where)
    if stamps is None:
        with _lock:
            stamps = _file_stamps.get(where)
            if stamps is None:
                stamps = _file_stamps[where] = _FileStamps(where)
    return stamps


def stamp_read(key: str) -> int:
    """The key's current stamp (read it before reading what it guards)."""
    return _backend().read(key)


def stamp_bump(key: str) -> None:
    """Mark the key changed now and again once the current transaction commits."""
    stamps = _backend()
    stamps.bump(key)
    if connections["default"].in_atomic_block:
        transaction.on_commit(lambda: stamps.bump(key))
