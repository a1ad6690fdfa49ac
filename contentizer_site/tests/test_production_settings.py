"""Production posture: a site that names a public host must have its own secret key and
passes `check --deploy` with no warning; the embedded default keeps plain HTTP. Each case
is a real `manage.py` process with its own environment (settings are read at start-up)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
STRONG_KEY = secrets.token_urlsafe(50)
PROBE = (
    "from django.conf import settings as s; "
    "print(s.PRODUCTION, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
    "s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER)"
)


def manage(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CONTENTIZER_"))}
    base["DJANGO_SETTINGS_MODULE"] = "contentizer_site.settings"
    base["SQLITE_PATH"] = str(tmp_path / "db.sqlite3")
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION_ENV = {"DJANGO_ALLOWED_HOSTS": "example.com", "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": STRONG_KEY}


def test_check_deploy_is_clean_in_production_with_a_secret_key(tmp_path):
    result = manage("check", "--deploy", env=PRODUCTION_ENV, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in output
    assert "WARNING" not in output


def test_production_without_a_secret_key_refuses_to_start(tmp_path):
    env = {"DJANGO_ALLOWED_HOSTS": "localhost,contentizer.example.com", "DJANGO_DEBUG": "0"}
    result = manage("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY must be set" in result.stderr
    assert "(contentizer.example.com)" in result.stderr


@pytest.mark.parametrize("hosts", ["*", "192.168.1.20", ".example.com"])
def test_any_host_that_is_not_loopback_means_production(tmp_path, hosts):
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        PROBE,
        env={"DJANGO_ALLOWED_HOSTS": hosts, "DJANGO_SECRET_KEY": STRONG_KEY},
        tmp_path=tmp_path,
    )
    assert result.stdout.split()[:5] == ["True", "True", "True", "True", "31536000"], result.stderr


def test_the_embedded_default_stays_on_plain_http_with_nothing_set(tmp_path):
    result = manage("shell", "--no-imports", "-c", PROBE, env={}, tmp_path=tmp_path)
    assert result.stdout.split() == ["False", "False", "False", "False", "0", "None"], result.stderr
    # ... and check --deploy says what production would fix, so the difference is real.
    deploy = manage("check", "--deploy", env={}, tmp_path=tmp_path)
    assert "security.W008" in deploy.stdout + deploy.stderr


def test_behind_a_tls_proxy_the_proxy_header_comes_from_the_environment(tmp_path):
    env = {**PRODUCTION_ENV, "DJANGO_SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto: https"}
    result = manage("shell", "--no-imports", "-c", PROBE, env=env, tmp_path=tmp_path)
    assert result.stdout.strip().endswith("('HTTP_X_FORWARDED_PROTO', 'https')"), result.stderr
    switch = manage(
        "shell", "--no-imports", "-c", PROBE, env={**PRODUCTION_ENV, "DJANGO_BEHIND_TLS_PROXY": "1"}, tmp_path=tmp_path
    )
    assert switch.stdout.strip().endswith("('HTTP_X_FORWARDED_PROTO', 'https')"), switch.stderr


def test_a_malformed_proxy_header_stops_the_start(tmp_path):
    env = {**PRODUCTION_ENV, "DJANGO_SECURE_PROXY_SSL_HEADER": "https"}
    result = manage("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "must look like 'X-Forwarded-Proto: https'" in result.stderr


def test_a_site_served_over_plain_http_on_purpose_can_switch_https_off(tmp_path):
    env = {
        **PRODUCTION_ENV,
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
    }
    result = manage("shell", "--no-imports", "-c", PROBE, env=env, tmp_path=tmp_path)
    assert result.stdout.split()[:5] == ["True", "False", "False", "False", "0"], result.stderr


def test_a_blank_switch_keeps_the_production_default(tmp_path):
    env = {**PRODUCTION_ENV, "DJANGO_SECURE_SSL_REDIRECT": "", "DJANGO_SECURE_COOKIES": " "}
    result = manage("shell", "--no-imports", "-c", PROBE, env=env, tmp_path=tmp_path)
    assert result.stdout.split()[:4] == ["True", "True", "True", "True"], result.stderr
