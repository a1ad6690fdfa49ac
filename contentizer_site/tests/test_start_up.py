"""What a process pays for when it starts (issue 22): `make_video` and a qcluster worker
set Django up without loading the code of work they have not been given yet (drawing,
listening to a recording, Replicate, the web server, the API schema's tooling). Each
module below is imported where it is used; one imported at a module's top again would
bring its cost back into every start.

Module lists, not timings: a fresh interpreter is asked what it has loaded."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]

# Loaded by no start-up path; each is the first use's to load.
NOT_AT_START = (
    "numpy",  # the data cards, the voiceover analysis, replicate's helpers
    "nltk",  # WordNet, for reading scenes
    "replicate",  # only with a Replicate token, on the first prediction
    "twisted",  # daphne's server: runserver and the daphne program load it
    "daphne.server",
    "mediakit.illustration",
    "mediakit.data_card",
    "mediakit.art_library",
    "mediakit.scene_reader",
    "mediakit.voiceover",
)
# Loaded with the URLs (the schema views), so by `check` and a worker's system checks, but
# not by `make_video`, which loads no URLs.
SCHEMA_TOOLING = ("drf_spectacular.plumbing", "django.test", "jinja2")


def _loaded_after(code: str, names: tuple[str, ...]) -> list[str]:
    """The `names` a fresh interpreter has in sys.modules after django.setup() and `code`."""
    script = (
        "import json, sys, django\n"
        "django.setup()\n"
        f"{code}\n"
        f"print(json.dumps([name for name in {list(names)!r} if name in sys.modules]))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "contentizer_site.settings"}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _without_a_redis() -> tuple[str, ...]:
    # A site on the ORM broker never asks a Redis anything (the scaled-out run has one).
    return () if settings.Q_CLUSTER.get("redis") else ("redis",)


def test_the_guarded_names_are_real_modules():
    # A misspelt name would never be in sys.modules and the tests below would pass for nothing.
    for name in (*NOT_AT_START, *SCHEMA_TOOLING, "redis"):
        assert importlib.util.find_spec(name) is not None, name


def test_make_video_starts_without_the_code_of_the_work_it_has_not_been_given():
    names = (*NOT_AT_START, *SCHEMA_TOOLING, *_without_a_redis())
    assert _loaded_after("import videos.management.commands.make_video", names) == []


def test_a_worker_start_with_its_system_checks_loads_none_of_it_either():
    # What `manage.py qcluster` does before it forks its workers (they inherit its modules).
    code = "from django.core import checks\nchecks.run_checks()\nimport django_q.cluster"
    assert _loaded_after(code, (*NOT_AT_START, *_without_a_redis())) == []


def test_a_first_use_still_loads_what_it_needs():
    # The other side of the lazy imports: reading a scene does load the scene reader.
    code = "from videos.storyboard import visual_prompt_for\nvisual_prompt_for('A lighthouse on a cliff.')"
    assert _loaded_after(code, ("mediakit.scene_reader", "mediakit.data_card")) == [
        "mediakit.scene_reader",
        "mediakit.data_card",
    ]


def test_runserver_is_still_daphnes():
    # The daphne app is installed through contentizer_site.daphne_app, without its server import.
    assert get_commands()["runserver"] == "daphne"
