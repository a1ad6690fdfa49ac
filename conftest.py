"""Shared test fixtures: the cast of users, isolated storage and temp dirs, jobs run
inline (the real queue is used only by the integration tests that start a cluster)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

SHORT_SCRIPT = "The lighthouse keeper climbs the stairs at dusk. Far below, the waves break on the rocks."


# Tests that use these fixtures run real processes (a qcluster, daphne): they are the
# integration tests, run again scaled out by scripts/test.sh (`-m integration`).
INTEGRATION_FIXTURES = frozenset({"qcluster", "daphne_server", "start_cluster"})


def pytest_collection_modifyitems(config, items):
    for item in items:
        if INTEGRATION_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)


def _is_integration(request) -> bool:
    return request.node.get_closest_marker("integration") is not None


@pytest.fixture(scope="session", autouse=True)
def _no_stray_database_sessions(request):
    """PostgreSQL refuses to drop the test database while a session is open on it, and the
    browser tests' ORM reads (beside Playwright's event loop) leave one that Django's
    teardown cannot see: end every other session on it just before the drop."""
    from django.conf import settings as dj_settings

    if dj_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        yield
        return
    request.getfixturevalue("django_db_setup")
    blocker = request.getfixturevalue("django_db_blocker")
    yield
    from django.db import connection

    with blocker.unblock():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        connection.close()


@pytest.fixture(autouse=True)
def _isolated_files(request, settings, tmp_path: Path):
    """Every test gets its own media storage and job temp root: a folder, or, for the
    integration tests when the settings say S3 (the scaled-out run), its own bucket."""
    media = tmp_path / "media"
    jobtmp = tmp_path / "jobtmp"
    media.mkdir()
    jobtmp.mkdir()
    settings.MEDIA_ROOT = str(media)
    settings.CONTENTIZER_TMP_DIR = str(jobtmp)
    if settings.STORAGE_BACKEND == "s3" and _is_integration(request):
        bucket = _s3_bucket(settings.STORAGES["default"]["OPTIONS"])
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                **settings.STORAGES["default"],
                "OPTIONS": {**settings.STORAGES["default"]["OPTIONS"], "bucket_name": bucket.name},
            },
        }
        try:
            yield media
        finally:
            bucket.objects.all().delete()
            bucket.delete()
        return
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media), "base_url": "/media/"},
        },
    }
    yield media


def _s3_bucket(options: dict):
    """A new, empty bucket on the configured S3 endpoint (moto in the scaled-out run)."""
    import uuid

    import boto3

    s3 = boto3.resource(
        "s3",
        endpoint_url=options.get("endpoint_url"),
        region_name=options.get("region_name") or "us-east-1",
        aws_access_key_id=options.get("access_key"),
        aws_secret_access_key=options.get("secret_key"),
    )
    bucket = s3.Bucket(f"contentizer-test-{uuid.uuid4().hex[:12]}")
    bucket.create()
    return bucket


@pytest.fixture(autouse=True)
def _isolated_redis(request, settings):
    """Scaled out, the integration tests share one Redis database (the broker's queue, the
    channel layer, the cache): each starts and ends with it empty. The scaled-out run owns
    that database (scripts/scaled_env.sh: never 0)."""
    if not (settings.REDIS_URL and _is_integration(request)):
        yield
        return
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    if client.connection_pool.connection_kwargs.get("db", 0) == 0:
        pytest.fail("REDIS_URL for the tests must name a Redis database other than 0: the tests flush it")
    client.flushdb()
    try:
        yield
    finally:
        client.flushdb()
        client.close()


@pytest.fixture(autouse=True)
def _fast_password_hashing(request, settings):
    """Real hashing is most of the cost of creating the cast of users. Not where a
    subprocess (daphne) must verify the passwords with the real settings."""
    if "daphne_server" not in request.fixturenames:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def media_root(_isolated_files) -> Path:
    return _isolated_files


@pytest.fixture
def job_tmp_root(settings) -> Path:
    return Path(settings.CONTENTIZER_TMP_DIR)


@pytest.fixture(autouse=True)
def _inline_queue(monkeypatch):
    """Queued tasks run inline at commit time (django-q2 sync mode). Conf is read at
    import, so override_settings cannot switch it: patch the class attribute."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)


@pytest.fixture
def owner(db):
    return get_user_model().objects.create_user("olive", "olive@example.com", "olive-password-1")


@pytest.fixture
def stranger(db):
    return get_user_model().objects.create_user("sam", "sam@example.com", "sam-password-1")


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user(
        "stella",
        "stella@example.com",
        "stella-password-1",
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def staff_client(client, staff):
    """The test client logged in as `staff` (Django admin pages). Not pytest-django's
    `admin_client`, whose user is its own: actions here must be the cast's staff member's."""
    client.force_login(staff)
    return client


@pytest.fixture
def make_video(django_capture_on_commit_callbacks):
    """Create a video through the service and run its storyboard job inline."""
    from videos.services import video_create

    def make(owner, script: str = SHORT_SCRIPT, **options):
        options.setdefault("title", "Lighthouse")
        options.setdefault("quality", "480p")
        with django_capture_on_commit_callbacks(execute=True):
            video = video_create(owner=owner, script=script, **options)
        video.refresh_from_db()
        return video

    return make


@pytest.fixture(scope="session")
def _piper_wavs(tmp_path_factory) -> dict:
    return {"dir": tmp_path_factory.mktemp("piper-wavs"), "made": {}}


@pytest.fixture
def piper_cached(monkeypatch, _piper_wavs):
    """For tests about what is built around the narration, not about speech: piper's WAVs
    for the same voice, rate and phrases are synthesised once per session (by the real piper)
    and copied into each later call's work folder; everything after piper still runs."""
    import shutil

    from mediakit import speech

    real = speech.piper_synthesize

    def cached(voice, texts, rate_wpm, work):
        key = (voice.package, voice.name, rate_wpm, tuple(" ".join(t.split()) for t in texts))
        made = _piper_wavs["made"]
        if key not in made:
            wavs = real(voice, texts, rate_wpm, work)
            folder = _piper_wavs["dir"] / str(len(made))
            folder.mkdir()
            made[key] = [Path(shutil.copy(w, folder / w.name)) for w in wavs]
            for w in wavs:  # piper's phoneme timings beside each WAV (speech.piper_alignments)
                if w.with_suffix(".json").is_file():
                    shutil.copy(w.with_suffix(".json"), folder / w.with_suffix(".json").name)
            return wavs
        out = work / "wav"
        out.mkdir(parents=True)
        for w in made[key]:
            if w.with_suffix(".json").is_file():
                shutil.copy(w.with_suffix(".json"), out / w.with_suffix(".json").name)
        return [Path(shutil.copy(w, out / w.name)) for w in made[key]]

    monkeypatch.setattr(speech, "piper_synthesize", cached)


@pytest.fixture
def make_approved_video(make_video):
    from videos.services import storyboard_approve

    def make(owner, **kwargs):
        video = make_video(owner, **kwargs)
        return storyboard_approve(video=video, user=owner)

    return make


@pytest.fixture
def make_rendered_video(make_approved_video, django_capture_on_commit_callbacks):
    """A video rendered for real (tiny: 480p, two short scenes)."""
    from videos.services import render_request

    def make(owner, **kwargs):
        video = make_approved_video(owner, **kwargs)
        with django_capture_on_commit_callbacks(execute=True):
            render_request(video=video, user=owner)
        video.refresh_from_db()
        return video

    return make


@pytest.fixture
def qcluster(transactional_db, settings, monkeypatch, tmp_path):
    """A real `manage.py qcluster` subprocess working on the test database (a file) and
    this test's storage. Jobs enqueued by the test go through the ORM broker to it."""
    import signal
    import subprocess
    import sys

    from django.conf import settings as dj_settings
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", False)
    base_dir = Path(dj_settings.BASE_DIR)
    env = {**_subprocess_env(settings), "Q_WORKERS": "1"}
    log = open(tmp_path / "qcluster.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=base_dir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    proc.log_path = tmp_path / "qcluster.log"
    try:
        yield proc
    finally:
        import psutil

        # Its sentinel, workers and their programs, found while they are still its own: a
        # cluster that does not stop in time must not leave them behind, reparented to init
        # (a later test would see two clusters in the broker).
        try:
            descendants = psutil.Process(proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            descendants = []
        # SIGTERM to the cluster's parent only: it stops its workers itself.
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        _gone, alive = psutil.wait_procs(descendants, timeout=10)
        for child in alive:
            try:
                child.kill()
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(alive, timeout=10)
        log.close()


def wait_for(predicate, *, timeout: float, interval: float = 0.2, message: str = "condition"):
    """Poll until predicate() is truthy; fail the test with `message` on timeout."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"Timed out after {timeout:.0f} s waiting for {message}")


def _subprocess_env(settings) -> dict:
    """The environment of a subprocess (qcluster, daphne) that must work on this test's
    database, storage and temp root: the test database (a file, or test_<name> on
    PostgreSQL), this test's folder or bucket; REDIS_URL passes through unchanged."""
    import os

    from django.db import connection

    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "contentizer_site.settings",
        "CONTENTIZER_TMP_DIR": str(settings.CONTENTIZER_TMP_DIR),
        "Q_SYNC": "0",
        "CONTENTIZER_WEBHOOK_ALLOW_PRIVATE": "1" if settings.CONTENTIZER_WEBHOOK_ALLOW_PRIVATE else "0",
    }
    if db["ENGINE"] == "django.db.backends.sqlite3":
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(db["NAME"])
    else:
        env["DATABASE_URL"] = _database_url(db)
    storage = settings.STORAGES["default"]
    if storage["BACKEND"] == "storages.backends.s3.S3Storage":
        options = storage["OPTIONS"]
        env.update(
            {
                "STORAGE_BACKEND": "s3",
                "AWS_STORAGE_BUCKET_NAME": options["bucket_name"],
                "AWS_S3_ENDPOINT_URL": options.get("endpoint_url") or "",
                "AWS_S3_REGION_NAME": options.get("region_name") or "",
                "AWS_ACCESS_KEY_ID": options.get("access_key") or "",
                "AWS_SECRET_ACCESS_KEY": options.get("secret_key") or "",
            }
        )
    else:
        env["STORAGE_BACKEND"] = "local"
        env["MEDIA_ROOT"] = storage["OPTIONS"]["location"]
    return env


def _database_url(db: dict) -> str:
    """A DATABASE_URL for this connection's settings (its NAME is the test database's)."""
    from urllib.parse import quote

    scheme = {"django.db.backends.postgresql": "postgres"}.get(db["ENGINE"])
    if scheme is None:
        raise NotImplementedError(f"no URL for the {db['ENGINE']} backend in the subprocess fixtures")
    auth = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"{scheme}://{auth + '@' if auth else ''}{host}{port}/{quote(db['NAME'], safe='')}"


@pytest.fixture
def daphne_env() -> dict[str, str]:
    """Extra environment for the daphne_server subprocess; a test module overrides this
    fixture (the outage trials point daphne's connections through a fault proxy)."""
    return {}


@pytest.fixture
def daphne_server(transactional_db, settings, tmp_path, daphne_env):
    """The real ASGI app under daphne (HTTP + websockets) in a subprocess, on a free
    port, sharing the test database and storage. Yields its base URL."""
    import signal
    import socket
    import subprocess
    import time
    import urllib.request

    from django.conf import settings as dj_settings

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = open(tmp_path / "daphne.log", "w")
    daphne = Path(dj_settings.BASE_DIR) / ".venv" / "bin" / "daphne"
    import sys

    cmd = [
        str(daphne) if daphne.exists() else sys.executable,
        "-b",
        "127.0.0.1",
        "-p",
        str(port),
    ]
    if not daphne.exists():
        cmd = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
    proc = subprocess.Popen(
        [*cmd, "contentizer_site.asgi:application"],
        cwd=dj_settings.BASE_DIR,
        env={**_subprocess_env(settings), **daphne_env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/accounts/login/", timeout=2)
            break
        except OSError:  # not listening yet (URLError is an OSError)
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("daphne did not start: " + (tmp_path / "daphne.log").read_text()[-2000:])
            time.sleep(0.2)
    try:
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


@pytest.fixture
def cache_table(db) -> None:
    """The throttles (and django-q2's cluster stats) live in the shared DatabaseCache, whose
    table the test database starts without."""
    from core.testing import create_cache_table

    create_cache_table()


@pytest.fixture
def api(owner, cache_table):
    """An API client authenticated as the owner with a token, like a program."""
    from core.testing import token_client

    return token_client(owner)


@pytest.fixture(scope="session")
def media_files(tmp_path_factory) -> dict[str, Path]:
    """Real tiny media files (pictures, clips, sounds, hostile ones), made once per session."""
    from assets.tests.media_files import make_media

    return make_media(tmp_path_factory.mktemp("media-files"))


@pytest.fixture
def stored_files(media_root):
    """A callable listing every file in storage (sorted), to compare before and after."""

    def listing() -> list[Path]:
        return sorted(p for p in media_root.rglob("*") if p.is_file())

    return listing


@pytest.fixture
def fake_replicate(settings):
    """A fake Replicate on a local port, and the settings that point the real client at
    it: a token, fast polling and backoff, no webhooks (tests that want them add a public
    URL and the signing secret)."""
    from assets.tests.fake_replicate import FakeReplicate

    fake = FakeReplicate().start()
    settings.REPLICATE_API_TOKEN = "r8_test_token"
    settings.REPLICATE_BASE_URL = fake.url
    settings.REPLICATE_POLL_INTERVAL_MS = 20
    settings.REPLICATE_BACKOFF_MS = 1
    settings.REPLICATE_PREDICTION_TIMEOUT_SECONDS = 10
    settings.REPLICATE_ATTEMPTS = 3
    settings.REPLICATE_PARALLELISM = 4
    settings.REPLICATE_WEBHOOK_SECRET = ""
    settings.CONTENTIZER_PUBLIC_URL = ""
    settings.REPLICATE_TTS_MODEL = ""
    try:
        yield fake
    finally:
        fake.stop()
