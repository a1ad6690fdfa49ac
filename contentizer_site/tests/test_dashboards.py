"""The three Grafana dashboards (ops/grafana/dashboards) and what compose does with them:
every panel's query parses, names only series /metrics serves, and returns data from a real
Prometheus (Debian's) holding two hours of scrapes of a test server with seeded jobs."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from assets.models import GenerationJobKind
from core.event_metrics import metric_count
from core.request_metrics import HTTP_REQUESTS
from core.testing import token_client
from jobs.models import Job
from jobs.services import job_finished
from videos.models import Video, VideoJobKind

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
BOARDS = ROOT / "ops" / "grafana" / "dashboards"
NAMES = ("operations", "performance", "business")


def panel_queries() -> list[tuple[str, str, str]]:
    """(dashboard, panel title, PromQL) of every target of every panel."""
    found = []
    for name in NAMES:
        board = json.loads((BOARDS / f"{name}.json").read_text())
        for panel in board["panels"]:
            for target in panel["targets"]:
                found.append((name, panel["title"], target["expr"]))
    return found


def series_named(expr: str) -> set[str]:
    return set(re.findall(r"\bcontentizer_[a-z0-9_]+", expr))


@pytest.fixture
def seeded(owner) -> str:
    """A /metrics scrape after a day's worth of kinds of activity, each through the code
    that counts it where that is cheap (jobs end through job_finished)."""
    start = timezone.now() - timedelta(minutes=30)
    video = Video.objects.create(owner=owner, title="Lighthouse", script="The keeper.", duration_ms=30_000)
    for kind, status, seconds, estimate, actual, stage in [
        (VideoJobKind.RENDER, Job.Status.SUCCEEDED, 95, "0", "0", ""),
        (VideoJobKind.RENDER, Job.Status.FAILED, 12, "0", "0", "compose"),
        (GenerationJobKind.PICTURE, Job.Status.SUCCEEDED, 4, "0.0030", "0.0040", ""),
        (VideoJobKind.STORYBOARD, Job.Status.SUCCEEDED, 20, "0.0030", "0.0030", ""),
    ]:
        job = Job.objects.create(
            owner=owner,
            video=video if kind != GenerationJobKind.PICTURE else None,
            kind=kind,
            status=status,
            started_at=start,
            finished_at=start + timedelta(seconds=seconds),
            estimated_cost=Decimal(estimate),
            actual_cost=Decimal(actual),
            error_stage=stage,
            error_message="FFmpeg failed: x" if stage else "",
        )
        job_finished(job_id=job.pk)
    Job.objects.create(owner=owner, kind=VideoJobKind.EXPORT, status=Job.Status.QUEUED)
    # Events from code these tests do not drive (each has its own test module).
    metric_count("contentizer_provider_errors", {"provider": "replicate", "kind": "server_error"})
    metric_count("contentizer_downloads", {"what": "master", "format": "mp4"})
    metric_count("contentizer_storyboard_reviews", {"decision": "approved"})
    metric_count("contentizer_storyboard_reviews", {"decision": "rejected"})
    HTTP_REQUESTS.labels(view="videos-detail", method="GET", status="500").inc()
    browser = Client()
    browser.force_login(owner)
    browser.get("/")
    poller = token_client(owner)
    for _ in range(2):  # a miss, then a hit
        poller.get(f"/api/v1/jobs/{job.code}")
    return Client().get("/metrics").content.decode()


def test_compose_runs_prometheus_with_the_rules_and_grafana_with_the_dashboards():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    prometheus, grafana = compose["services"]["prometheus"], compose["services"]["grafana"]
    assert "./ops/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro" in prometheus["volumes"]
    assert "./ops/grafana/dashboards:/var/lib/grafana/dashboards:ro" in grafana["volumes"]
    config = yaml.safe_load((ROOT / "ops" / "prometheus" / "prometheus.yml").read_text())
    assert config["rule_files"] == ["/etc/prometheus/alerts.yml"]
    assert config["scrape_configs"][0]["authorization"]["credentials_file"] == "/etc/prometheus/metrics_token"
    provider = yaml.safe_load((ROOT / "ops/grafana/provisioning/dashboards/contentizer.yml").read_text())
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"


def test_each_dashboard_has_panels_with_queries_and_its_own_uid():
    uids = {json.loads((BOARDS / f"{name}.json").read_text())["uid"] for name in NAMES}
    assert len(uids) == 3
    per_board = {name: [q for board, _t, q in panel_queries() if board == name] for name in NAMES}
    assert all(len(queries) >= 5 for queries in per_board.values())


def test_every_query_parses(tmp_path):
    rules = {
        "groups": [
            {"name": "q", "rules": [{"record": f"q_{i}", "expr": q} for i, (_b, _t, q) in enumerate(panel_queries())]}
        ]
    }
    path = tmp_path / "queries.yml"
    path.write_text(yaml.safe_dump(rules))
    checked = subprocess.run(["promtool", "check", "rules", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_every_query_names_only_series_that_metrics_serves(seeded):
    served = {sample.name for family in text_string_to_metric_families(seeded) for sample in family.samples}
    for board, title, expr in panel_queries():
        missing = series_named(expr) - served
        assert not missing, f"{board} / {title}: {sorted(missing)} not in /metrics"


def openmetrics_history(scrape: str, *, end: int, points: int = 120, step: int = 60) -> str:
    """`points` scrapes a minute apart ending at `end`: counters grow linearly to the value
    scraped, gauges hold it (every series typed gauge: PromQL does not read the type)."""
    lines = []
    for family in text_string_to_metric_families(scrape):
        for sample in family.samples:
            grows = family.type in ("counter", "histogram")
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            name = f"{sample.name}{{{labels}}}" if labels else sample.name
            lines.append(f"# TYPE {sample.name} gauge")
            for i in range(1, points + 1):
                value = sample.value * i / points if grows else sample.value
                lines.append(f"{name} {value} {end - (points - i) * step}")
    # One TYPE line per name, right before its samples.
    seen, out = set(), []
    for line in lines:
        if line.startswith("# TYPE"):
            if line in seen:
                continue
            seen.add(line)
        out.append(line)
    return "\n".join(out) + "\n# EOF\n"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def live_values(scrape: str, tmp_path: Path) -> list[tuple[str, str, str, list]]:
    """(dashboard, panel, query, result) of every panel query, from a real Prometheus."""
    end = int(time.time()) - 60
    history = tmp_path / "history.om"
    history.write_text(openmetrics_history(scrape, end=end))
    data = tmp_path / "data"
    subprocess.run(
        ["promtool", "tsdb", "create-blocks-from", "openmetrics", str(history), str(data)],
        check=True,
        capture_output=True,
    )
    config = tmp_path / "prometheus.yml"
    config.write_text("global: {}\n")
    port = _free_port()
    server = subprocess.Popen(
        [
            "prometheus",
            f"--config.file={config}",
            f"--storage.tsdb.path={data}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--storage.tsdb.retention.time=30d",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        # Its log says when it is ready (it logs little after that: the pipe never fills).
        for line in server.stderr:
            if "Server is ready to receive web requests" in line:
                break
        else:
            pytest.fail("prometheus stopped before it was ready")
        results = []
        for board, title, expr in panel_queries():
            query = urllib.parse.urlencode({"query": expr, "time": end})
            with urllib.request.urlopen(f"{base}/api/v1/query?{query}", timeout=10) as r:
                body = json.load(r)
            assert body["status"] == "success", (title, body)
            results.append((board, title, expr, body["data"]["result"]))
        return results
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_every_query_returns_data_from_a_real_prometheus(seeded, tmp_path):
    values = live_values(seeded, tmp_path)
    for board, title, expr, result in values:  # shown with -s: the check, query by query
        print(f"{board} | {title} | {expr} = {[(r['metric'], r['value'][1]) for r in result]}")
    empty = [(board, title, expr) for board, title, expr, result in values if not result]
    assert not empty, f"no data for: {empty}"
