"""Back up the database and every stored file into one archive, and restore it into an empty
database and empty storage: what `manage.py backup` and `manage.py restore` call.

The archive is a tar file:
- `database.sqlite3` (SQLite's online backup API) or `database.pgdump` (`pg_dump --format=custom`);
- `files/<storage name>` for every file in the default storage (local folder or S3 bucket);
- `contentizer-backup.json`: the database engine, every member's size and SHA-256, and the row
  count of every model, so that a restore checks the whole archive before it changes anything
  and can show that it brought every row back.

A restore never overwrites: the target database must have no tables and the target storage no
files (a wrong target is refused, not merged into). Every check happens before the first
write; if writing fails, the files already put back are removed again and the database is
restored in one transaction, so an error leaves the target as it was.

Only the default database and the default storage. Redis holds nothing to back up: the job
rows are the queue's truth and queued jobs are enqueued again by the reaper.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, cast

from django.apps import apps
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction

from core.storage import CHUNK, file_sha256, storage_delete_quietly, storage_walk

if TYPE_CHECKING:
    from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper

FORMAT = "contentizer-backup"
VERSION = 1
MANIFEST = "contentizer-backup.json"
FILES_PREFIX = "files/"
DUMP_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# pg_dump / pg_restore of a large database; a hung server should not hang the command for ever.
PG_TIMEOUT_S = 6 * 3600


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    engine: str
    rows: dict[str, int]
    files: int
    file_bytes: int
    archive_bytes: int


@dataclass(frozen=True)
class RestoreReport:
    engine: str
    rows: dict[str, int]
    files: int
    # Models whose restored row count differs from the archive's (empty when all came back).
    mismatched: dict[str, tuple[int, int]] = field(default_factory=dict)


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in DUMP_MEMBERS:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def _counted_models() -> list:
    return [m for m in apps.get_models() if not m._meta.proxy and m._meta.managed]


def model_row_counts() -> dict[str, int]:
    """Rows of every concrete model of every installed app, by label (`videos.video`)."""
    return dict(sorted((m._meta.label_lower, m._base_manager.count()) for m in _counted_models()))


def _table_row_counts(cursor, quote) -> dict[str, int]:
    """The same counts read with a DB-API cursor (a snapshot, or the SQLite copy)."""
    counts = {}
    for model in _counted_models():
        cursor.execute(f"SELECT COUNT(*) FROM {quote(model._meta.db_table)}")
        counts[model._meta.label_lower] = cursor.fetchone()[0]
    return dict(sorted(counts.items()))


class _HashingReader(io.RawIOBase):
    """Reads a file object through, keeping the SHA-256 and size of what was read."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.sha256.update(data)
        self.size += len(data)
        return data


# --- PostgreSQL: pg_dump / pg_restore with the connection's own settings ------------------


def _pg_env() -> dict[str, str]:
    """libpq's environment for the default database: the password never on a command line."""
    from django.db.backends.postgresql.client import DatabaseClient

    db = connection.settings_dict
    _, client_env = DatabaseClient.settings_to_cmd_args_env(db, [])
    env = {**os.environ, **(client_env or {})}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[var] = str(db[key])
    return env


def _pg_tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        raise BackupError(
            f"{name} is not installed: install the PostgreSQL client (Debian: postgresql-client), "
            "of the server's major version or newer."
        )
    return tool


def _pg_run(argv: list[str], *, stdin: IO[bytes] | None = None, what: str) -> None:
    # stderr to a file: a pipe nobody reads while stdin is written could fill and hang both.
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            argv,
            env=_pg_env(),
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        try:
            if stdin is not None:
                assert proc.stdin is not None
                try:
                    shutil.copyfileobj(stdin, proc.stdin, CHUNK)
                except BrokenPipeError:
                    pass  # the tool stopped reading: its exit status and stderr say why
                finally:
                    try:
                        proc.stdin.close()
                    except BrokenPipeError:
                        pass
            proc.wait(timeout=PG_TIMEOUT_S)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        if proc.returncode != 0:
            err.seek(0)
            detail = err.read().decode(errors="replace").strip().splitlines()
            raise BackupError(f"{what} failed: {detail[-1] if detail else f'exit status {proc.returncode}'}")


def _dump_database(engine: str, dest: Path) -> dict[str, int]:
    """Dump the database to `dest`; returns the row counts of exactly what was dumped."""
    if engine == "postgresql":
        argv = [
            _pg_tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--file={dest}",
            f"--dbname={connection.settings_dict['NAME']}",
        ]
        if connection.in_atomic_block:  # a caller's transaction: no snapshot of our own
            _pg_run(argv, what="pg_dump")
            return model_row_counts()
        # pg_dump reads the snapshot this transaction exported: the counts are the dump's.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            _pg_run([*argv, f"--snapshot={snapshot}"], what="pg_dump")
            return _table_row_counts(cursor, connection.ops.quote_name)
    # SQLite's online backup API: a consistent copy of what is committed while the site and
    # workers keep writing (WAL: readers never wait for writers). A connection of its own:
    # Django's may be inside a transaction, from which a backup waits for ever.
    if cast("SQLiteDatabaseWrapper", connection).is_in_memory_db():
        connection.ensure_connection()
        source = connection.connection
    else:
        source = sqlite3.connect(f"file:{connection.settings_dict['NAME']}?mode=ro", uri=True, timeout=20)
    target = sqlite3.connect(dest)
    try:
        source.backup(target)
        return _table_row_counts(target.cursor(), connection.ops.quote_name)
    finally:
        target.close()
        if source is not connection.connection:
            source.close()


def _load_database(engine: str, dump: IO[bytes], workdir: Path) -> None:
    if engine == "postgresql":
        # One transaction: a failure leaves the empty database empty.
        _pg_run(
            [
                _pg_tool("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={connection.settings_dict['NAME']}",
            ],
            stdin=dump,
            what="pg_restore",
        )
        connection.close()
        return
    copy = workdir / "database.sqlite3"
    with open(copy, "wb") as out:
        shutil.copyfileobj(dump, out, CHUNK)
    source = sqlite3.connect(copy)
    try:
        connection.ensure_connection()
        source.backup(connection.connection)
    finally:
        source.close()
    connection.close()


# --- Backup --------------------------------------------------------------------------------


def backup_create(*, path: Path) -> BackupReport:
    """Write the database and every stored file to a new archive at `path`.

    The database is dumped first, then the files are copied: a file saved during the backup
    is at worst an extra (unreferenced) file in the archive, never a row without its file
    unless a file is deleted while the backup runs."""
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} already exists: a backup never overwrites a file; choose a new name.")
    if not path.parent.is_dir():
        raise BackupError(f"The folder {path.parent} does not exist.")
    engine = _engine()
    # Beside the archive, so that the dump needs no room in /tmp and the final rename is atomic.
    partial = path.with_name(f".{path.name}.partial")
    with tempfile.TemporaryDirectory(prefix=".contentizer-backup-", dir=path.parent) as tmp:
        dump = Path(tmp) / DUMP_MEMBERS[engine]
        rows = _dump_database(engine, dump)
        files: list[dict] = []
        try:
            with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
                tar.add(dump, arcname=dump.name, recursive=False)
                database = {"engine": engine, "member": dump.name, "size": dump.stat().st_size}
                database["sha256"] = file_sha256(dump)
                dump.unlink()
                for name in storage_walk():
                    files.append(_add_stored_file(tar, name))
                manifest = {
                    "format": FORMAT,
                    "version": VERSION,
                    "created": datetime.now(UTC).isoformat(timespec="seconds"),
                    "database": database,
                    "rows": rows,
                    "files": files,
                }
                body = json.dumps(manifest, indent=1).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(body)
                info.mtime = int(datetime.now(UTC).timestamp())
                tar.addfile(info, io.BytesIO(body))
            os.replace(partial, path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return BackupReport(
        path=path,
        engine=engine,
        rows=rows,
        files=len(files),
        file_bytes=sum(f["size"] for f in files),
        archive_bytes=path.stat().st_size,
    )


def _add_stored_file(tar: tarfile.TarFile, name: str) -> dict:
    size = default_storage.size(name)
    info = tarfile.TarInfo(FILES_PREFIX + name)
    info.size = size
    try:
        info.mtime = int(default_storage.get_modified_time(name).timestamp())
    except (NotImplementedError, OSError):
        info.mtime = int(datetime.now(UTC).timestamp())
    with default_storage.open(name, "rb") as fh:
        reader = _HashingReader(fh)
        try:
            tar.addfile(info, reader)
        except OSError as exc:  # tarfile: "unexpected end of data" when the file shrank
            raise BackupError(f"The stored file {name} changed while it was copied; run the backup again.") from exc
    if reader.size != size:
        raise BackupError(f"The stored file {name} changed while it was copied; run the backup again.")
    return {"name": name, "size": size, "sha256": reader.sha256.hexdigest()}


# --- Restore -------------------------------------------------------------------------------


@contextmanager
def _open_archive(path: Path) -> Iterator[tuple[tarfile.TarFile, dict]]:
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"No backup at {path}.")
    try:
        tar = tarfile.open(path, "r:")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{path} is not a Contentizer backup or is damaged ({exc}).") from exc
    with tar:
        try:
            manifest = _read_manifest(tar)
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BackupError(f"{path} is damaged ({exc}).") from exc
        yield tar, manifest


def _label(tar: tarfile.TarFile) -> str:
    """The archive's path, for messages."""
    return os.fsdecode(tar.name or "The archive")


def _extract(tar: tarfile.TarFile, member: tarfile.TarInfo) -> IO[bytes]:
    """A member's bytes; a TarError when it is not a regular file (a link, a directory)."""
    fh = tar.extractfile(member)
    if fh is None:
        raise tarfile.TarError(f"{member.name} is not a file")
    return fh


def _read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        member = tar.getmember(MANIFEST)
    except KeyError:
        raise BackupError(f"{_label(tar)} has no {MANIFEST}: not a Contentizer backup, or cut short.") from None
    try:
        manifest = json.loads(_extract(tar, member).read())
    except (ValueError, tarfile.TarError) as exc:
        raise BackupError(f"{_label(tar)}: its {MANIFEST} is damaged.") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{_label(tar)} is not a Contentizer backup.")
    if manifest.get("version") != VERSION:
        raise BackupError(
            f"{_label(tar)} is a backup of format version {manifest.get('version')}; this code reads {VERSION}."
        )
    for entry in manifest["files"]:
        parts = PurePosixPath(entry["name"]).parts
        if not parts or entry["name"].startswith("/") or ".." in parts:
            raise BackupError(f"{_label(tar)} names a stored file outside the storage: {entry['name']!r}.")
    return manifest


def _verify_members(tar: tarfile.TarFile, manifest: dict) -> None:
    """Every member the manifest lists is there with its size and SHA-256: a damaged archive
    is refused before anything is written."""
    expected = [(manifest["database"]["member"], manifest["database"])]
    expected += [(FILES_PREFIX + f["name"], f) for f in manifest["files"]]
    for member_name, entry in expected:
        try:
            member = tar.getmember(member_name)
            fh = _extract(tar, member)
            digest = hashlib.sha256()
            size = 0
            for chunk in iter(partial(fh.read, CHUNK), b""):
                digest.update(chunk)
                size += len(chunk)
        except KeyError:
            raise BackupError(f"{_label(tar)} is damaged: {member_name} is missing.") from None
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BackupError(f"{_label(tar)} is damaged: {member_name} cannot be read ({exc}).") from exc
        if size != entry["size"] or digest.hexdigest() != entry["sha256"]:
            raise BackupError(f"{_label(tar)} is damaged: {member_name} is not what was backed up (checksum).")


def _check_target(engine: str) -> None:
    target = _engine()
    if target != engine:
        raise BackupError(
            f"This is a backup of a {ENGINE_NAMES[engine]} database and the target is {ENGINE_NAMES[target]}: "
            f"restore it with the settings of a {ENGINE_NAMES[engine]} site (DATABASE_URL)."
        )
    try:
        tables = connection.introspection.table_names()
    except Exception as exc:  # noqa: BLE001 - any driver error: the target does not answer
        raise BackupError(f"The target database does not answer ({exc}).") from exc
    if tables:
        raise BackupError(
            f"The target database {connection.settings_dict['NAME']} already has {len(tables)} tables: "
            "a restore goes only into a new, empty database (createdb, or a new SQLITE_PATH)."
        )
    try:
        existing = storage_walk()
    except Exception as exc:  # noqa: BLE001 - e.g. botocore's NoSuchBucket
        raise BackupError(f"The target storage does not answer ({exc}); create the (empty) bucket first.") from exc
    if existing:
        raise BackupError(
            f"The target storage already holds {len(existing)} files (e.g. {existing[0]}): "
            "a restore goes only into empty storage (a new bucket or MEDIA_ROOT)."
        )


def backup_check(*, path: Path) -> dict:
    """The archive's manifest, once every member is verified; raises BackupError otherwise."""
    with _open_archive(path) as (tar, manifest):
        _verify_members(tar, manifest)
        return manifest


def backup_restore(*, path: Path) -> RestoreReport:
    """Restore an archive written by backup_create into the (empty) default database and
    (empty) default storage; then `manage.py migrate` brings an older backup up to date."""
    with _open_archive(path) as (tar, manifest):
        engine = manifest["database"]["engine"]
        if engine not in DUMP_MEMBERS:
            raise BackupError(f"{_label(tar)} holds a {engine} database; this code restores SQLite and PostgreSQL.")
        _verify_members(tar, manifest)
        _check_target(engine)
        saved: list[str] = []
        try:
            for entry in manifest["files"]:
                fh = _extract(tar, tar.getmember(FILES_PREFIX + entry["name"]))
                name = default_storage.save(entry["name"], File(fh, name=entry["name"]))
                saved.append(name)
                if name != entry["name"]:
                    raise BackupError(f"The target storage renamed {entry['name']} to {name}: it was not empty.")
            dump = _extract(tar, tar.getmember(manifest["database"]["member"]))
            with tempfile.TemporaryDirectory(prefix=".contentizer-restore-", dir=Path(path).parent) as tmp:
                _load_database(engine, dump, Path(tmp))
        except BaseException:
            storage_delete_quietly(*saved)
            raise
    rows = model_row_counts()
    mismatched = {
        label: (count, rows.get(label, 0)) for label, count in manifest["rows"].items() if rows.get(label, 0) != count
    }
    return RestoreReport(engine=engine, rows=rows, files=len(saved), mismatched=mismatched)
