"""The deployment files agree with the code: compose.yaml parses and names the services and
the environment that settings.py reads, the Dockerfile installs what setup.sh installs for
run time, and docs/deploy.md and .env.example describe them. (No container engine here: the
files are checked, not run.)"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
DOCKERFILE = (ROOT / "Dockerfile").read_text()
DEPLOY_DOC = (ROOT / "docs" / "deploy.md").read_text()
ENV_EXAMPLE = (ROOT / ".env.example").read_text()
SETTINGS_SOURCE = (ROOT / "contentizer_site" / "settings.py").read_text()
# System packages setup.sh installs only for the test suite.
TEST_ONLY_APT = {"chromium"}


def settings_env_names() -> set[str]:
    """Every environment variable settings.py reads (through the env_* readers)."""
    return set(re.findall(r'(?:env_\w+|_env_usd|_env_switch)\(\s*"([A-Z][A-Z0-9_]+)"', SETTINGS_SOURCE))


def service(name: str) -> dict:
    return COMPOSE["services"][name]


def command_of(name: str) -> list[str]:
    command = service(name)["command"]
    return shlex.split(command) if isinstance(command, str) else command


def test_compose_has_the_web_process_two_workers_and_the_backing_services():
    assert {"web", "worker", "postgres", "redis", "minio"} <= set(COMPOSE["services"])
    assert command_of("web")[0] == "daphne" and command_of("web")[-1] == "contentizer_site.asgi:application"
    assert command_of("worker") == ["python", "manage.py", "qcluster"]
    assert service("worker")["deploy"]["replicas"] == 2
    assert service("postgres")["image"].startswith("postgres:15")
    assert service("redis")["image"].startswith("redis:7")
    assert service("minio")["image"].startswith("minio/minio")


def test_web_and_workers_run_the_image_built_here_with_the_same_environment():
    web, worker = service("web"), service("worker")
    assert web["build"] == worker["build"] == "."
    assert web["environment"] == worker["environment"]


def test_every_variable_given_to_the_app_is_read_by_settings():
    unknown = set(service("web")["environment"]) - settings_env_names()
    assert not unknown, f"compose sets variables settings.py never reads: {sorted(unknown)}"


def test_the_app_runs_scaled_out_against_the_compose_services():
    env = service("web")["environment"]
    assert (
        urlsplit(env["DATABASE_URL"].replace("${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}", "x")).hostname == "postgres"
    )
    assert urlsplit(env["REDIS_URL"]).hostname == "redis"
    assert env["STORAGE_BACKEND"] == "s3"
    default_endpoint = re.fullmatch(r"\$\{AWS_S3_ENDPOINT_URL:-(.+)\}", env["AWS_S3_ENDPOINT_URL"])[1]
    assert urlsplit(default_endpoint).hostname == "minio"
    for name in ("AWS_STORAGE_BUCKET_NAME", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_S3_REGION_NAME"):
        assert env[name]


def test_the_app_is_in_production_with_https_behind_the_proxy():
    env = service("web")["environment"]
    assert env["DJANGO_DEBUG"] == "0"
    assert env["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?")  # compose refuses to start without it
    assert "example.com" in env["DJANGO_ALLOWED_HOSTS"]
    assert env["DJANGO_BEHIND_TLS_PROXY"] == "1" and env["CONTENTIZER_NUM_PROXIES"] == "1"
    assert "CONTENTIZER_WEBHOOK_ALLOW_PRIVATE" not in env


def test_the_web_healthcheck_uses_readyz():
    assert "/readyz" in " ".join(service("web")["healthcheck"]["test"])


def apt_packages_in_setup_sh() -> set[str]:
    match = re.search(r"^APT_PACKAGES=\(([^)]*)\)", (ROOT / "scripts" / "setup.sh").read_text(), re.M)
    assert match, "setup.sh no longer lists APT_PACKAGES=(...)"
    return set(match[1].split())


def test_the_dockerfile_installs_the_runtime_packages_setup_sh_installs():
    runtime = apt_packages_in_setup_sh() - TEST_ONLY_APT
    assert {"ffmpeg", "espeak-ng"} <= runtime
    install = re.search(r"apt-get install([^&]*)", DOCKERFILE.replace("\\\n", " "))
    assert install, "no apt-get install in the Dockerfile"
    installed = {word for word in install[1].split() if not word.startswith("-")}
    assert runtime <= installed, f"missing from the Dockerfile: {sorted(runtime - installed)}"
    assert not (TEST_ONLY_APT & installed)


def test_the_dockerfile_is_slim_pinned_and_runs_as_a_user():
    assert re.search(r"^FROM python:3\.11-slim-bookworm$", DOCKERFILE, re.M)
    assert "pip install -r requirements.txt" in DOCKERFILE
    users = re.findall(r"^USER (\S+)", DOCKERFILE, re.M)
    assert users and users[-1].split(":")[0] not in ("root", "0")


@pytest.mark.parametrize(
    "needle",
    [
        "migrate",
        "manage.py bootstrap",
        "createcachetable",
        "createsuperuser",
        "--scale worker=",
        "client_max_body_size",
        "proxy_buffering off",
        "proxy_request_buffering off",
        "/healthz",
        "/readyz",
        "/metrics",
        "CONTENTIZER_METRICS_TOKEN",
        "DJANGO_BEHIND_TLS_PROXY",
        "check --deploy",
        "bucket",
    ],
)
def test_the_deployment_guide_covers(needle):
    assert needle in DEPLOY_DOC


def test_the_deployment_guide_names_every_compose_service():
    for name in COMPOSE["services"]:
        assert f"`{name}`" in DEPLOY_DOC or name in DEPLOY_DOC


def test_every_variable_settings_reads_is_in_env_example():
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE, re.M))
    missing = settings_env_names() - documented
    assert not missing, f"add to .env.example: {sorted(missing)}"


def test_the_variables_the_guide_tabulates_exist_in_settings():
    tabulated = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", DEPLOY_DOC, re.M))
    assert tabulated and tabulated <= settings_env_names()
