"""fly.toml agrees with the repository: it parses as TOML, its processes are the ones the
Dockerfile and compose.yaml run, every command, module, file, port and path it names exists,
the health checks are /healthz and /readyz, and its secrets are named, never valued. (No
flyctl here: the file is checked, not deployed.)"""

from __future__ import annotations

import re
import shlex
import shutil
import tomllib
from importlib import import_module
from pathlib import Path

import yaml
from django.conf import settings
from django.core.management import get_commands

from contentizer_site.ops_endpoints import _PATHS as OPS_PATHS

ROOT = Path(settings.BASE_DIR)
FLY_SOURCE = (ROOT / "fly.toml").read_text()
FLY = tomllib.loads(FLY_SOURCE)
DOCKERFILE = (ROOT / "Dockerfile").read_text()
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
SETTINGS_SOURCE = (ROOT / "contentizer_site" / "settings.py").read_text()
REQUIREMENTS = (ROOT / "requirements.txt").read_text()


def settings_env_names() -> set[str]:
    return set(re.findall(r'(?:env_\w+|_env_usd|_env_switch)\(\s*"([A-Z][A-Z0-9_]+)"', SETTINGS_SOURCE))


def secret_names() -> list[str]:
    """The names listed under "# Secrets:" in fly.toml's header."""
    block = re.search(r"^# Secrets:.*\n((?:#   .*\n)+)", FLY_SOURCE, re.M)
    assert block, 'fly.toml no longer lists its secrets under "# Secrets:"'
    return re.findall(r"^#   ([A-Z][A-Z0-9_]+)\s", block[1], re.M)


def process(name: str) -> list[str]:
    return shlex.split(FLY["processes"][name])


def dockerfile_cmd() -> list[str]:
    cmd = re.findall(r"^CMD (\[.*\])$", DOCKERFILE, re.M)
    return yaml.safe_load(cmd[-1])


def manage_py_command_exists(argv: list[str]) -> bool:
    return argv[:2] == ["python", "manage.py"] and (ROOT / "manage.py").is_file() and argv[2] in get_commands()


def test_web_and_worker_are_the_processes_the_dockerfile_and_compose_run():
    assert set(FLY["processes"]) == {"web", "worker"}
    assert process("web") == dockerfile_cmd() == COMPOSE["services"]["web"]["command"]
    assert process("worker") == COMPOSE["services"]["worker"]["command"]


def test_every_command_it_runs_exists_in_the_image():
    web = process("web")
    assert web[0] == "daphne" and re.search(r"^daphne==", REQUIREMENTS, re.M)
    module, attribute = web[-1].split(":")
    assert hasattr(import_module(module), attribute)
    assert manage_py_command_exists(process("worker"))
    assert manage_py_command_exists(shlex.split(FLY["deploy"]["release_command"]))
    # `manage.py backup` on a Fly machine needs pg_dump (docs/deploy.md).
    assert "postgresql-client" in DOCKERFILE and shutil.which("pg_dump")


def test_it_builds_the_dockerfile_and_serves_its_port():
    assert (ROOT / FLY["build"]["dockerfile"]).is_file()
    port = FLY["http_service"]["internal_port"]
    assert re.search(rf"^EXPOSE {port}$", DOCKERFILE, re.M)
    assert process("web")[process("web").index("--port") + 1] == str(port)
    assert FLY["http_service"]["processes"] == ["web"] and FLY["http_service"]["force_https"] is True


def test_the_health_checks_are_readyz_and_healthz_on_the_web_process():
    readiness = FLY["http_service"]["checks"]
    assert [c["path"] for c in readiness] == ["/readyz"]
    liveness = list(FLY["checks"].values())
    assert [(c["type"], c["path"], c["port"], c["processes"]) for c in liveness] == [
        ("http", "/healthz", FLY["http_service"]["internal_port"], ["web"])
    ]
    assert {"/readyz", "/healthz"} <= set(OPS_PATHS)


def test_healthz_answers_as_fly_probes_it(client):
    # By the machine's address, over plain HTTP: before host checks and the HTTPS redirect.
    response = client.get("/healthz", HTTP_HOST="172.19.0.7:8000")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_the_paths_it_names_are_made_by_the_dockerfile():
    tmp_dir = FLY["env"]["CONTENTIZER_TMP_DIR"]
    assert re.search(rf"mkdir -p [^\n]*{re.escape(tmp_dir)}", DOCKERFILE)
    assert re.search(rf"chown [^\n]*{re.escape(tmp_dir)}", DOCKERFILE)


def test_every_variable_it_sets_or_names_is_read_by_settings():
    unknown = (set(FLY["env"]) | set(secret_names())) - settings_env_names()
    assert not unknown, f"fly.toml names variables settings.py never reads: {sorted(unknown)}"


def test_it_runs_scaled_out_on_s3_in_production():
    env = FLY["env"]
    assert env["STORAGE_BACKEND"] == "s3" and env["AWS_S3_ENDPOINT_URL"].startswith("https://")
    assert env["DJANGO_DEBUG"] == "0" and env["DJANGO_BEHIND_TLS_PROXY"] == "1"
    assert env["CONTENTIZER_NUM_PROXIES"] == "1"
    assert "CONTENTIZER_WEBHOOK_ALLOW_PRIVATE" not in env
    assert "mounts" not in FLY  # web and worker machines share files through the bucket


def test_secrets_are_named_and_never_valued():
    secrets = secret_names()
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} <= set(
        secrets
    )
    assert not set(secrets) & set(FLY["env"])
    assert not [name for name in FLY["env"] if re.search(r"SECRET|PASSWORD|TOKEN|_KEY", name)]


def test_the_deployment_guide_describes_it():
    guide = (ROOT / "docs" / "deploy.md").read_text()
    assert "## Fly.io" in guide and "`fly.toml`" in guide and "fly secrets set" in guide
