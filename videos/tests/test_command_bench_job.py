"""manage.py bench_job: the whole job, run as make_video runs it, reported stage by stage."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from videos.management.commands.bench_job import STAGES
from videos.models import Video


@pytest.mark.django_db
def test_it_reports_every_stage_of_a_real_job_and_the_ratio_to_the_encoder(tmp_path: Path):
    script = tmp_path / "hello.txt"
    script.write_text("A red kite rides the wind.")
    stdout = StringIO()
    call_command(
        "bench_job",
        script=str(script),
        quality="480p",
        repeat=1,
        # The test database is migrated already: copied instead of migrating another.
        template_db=settings.DATABASES["default"]["NAME"],
        workdir=str(tmp_path / "work"),
        stdout=stdout,
    )
    out = stdout.getvalue()
    rows = {}
    for stage in (*STAGES, "whole job", "x264 alone"):
        match = re.search(rf"^{re.escape(stage)} +([\d.]+) +([\d.]+) +([\d.]+)", out, re.MULTILINE)
        assert match, f"no row for {stage!r} in:\n{out}"
        rows[stage] = tuple(float(x) for x in match.groups())
    # The job did speak, draw and encode, and the stages add up to the whole.
    for stage in ("narration", "pictures", "composition", "x264 alone"):
        assert rows[stage][1] > 0, stage
    assert sum(rows[stage][1] for stage in STAGES) == pytest.approx(rows["whole job"][1], abs=0.1)
    result = re.search(r"^result hello: job cpu s per video s ([\d.]+); .*cpu ratio ([\d.]+)", out, re.MULTILINE)
    assert result and float(result.group(1)) > 0 and float(result.group(2)) > 0
    # And to the fixed reference (veryfast crf 23) on the same frames, whatever the master's setting.
    reference = re.search(r"^x264 veryfast crf 23 +([\d.]+) +([\d.]+)", out, re.MULTILINE)
    assert reference and float(reference.group(1)) > 0, out
    assert re.search(r"job to the veryfast crf 23 reference ([\d.]+)", out)
    # And to the same setting on testsrc2, issue 22's own yardstick (CPU s per video s).
    testsrc = re.search(r"^  on testsrc2 +([\d.]+) +([\d.]+)", out, re.MULTILINE)
    assert testsrc and float(testsrc.group(2)) > 0, out
    assert re.search(r"\(on testsrc2 ([\d.]+)\); wall s per video s", out)
    # The job ran on a database of its own, and its scratch directory is gone.
    assert not Video.objects.exists()
    assert not (tmp_path / "work").exists()
