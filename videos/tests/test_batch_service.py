"""Batches: every row checked first with one report of every problem, the whole batch
within the quotas or nothing, then ordinary videos with a storyboard job each."""

from __future__ import annotations

import json

import pytest

from core.errors import QuotaExceeded
from jobs.models import Job
from quotas.models import Quota
from videos.models import Batch, Project, Video, VideoJobKind
from videos.selectors import batch_progress, batches_with_progress
from videos.services import BatchInvalid, batch_create, batch_create_from_file

ONE = "The lighthouse keeper climbs the stairs at dusk."
TWO = "Far below, the waves break on the rocks."

CSV = (
    "title,script,aspect,quality,fps,captions,speech_rate\n"
    f'Keeper,"{ONE}",9:16,480p,24,false,180\n'
    f'Waves,"{TWO}",1:1,480p,,true,\n'
)


def _errors(exc: BatchInvalid) -> set[tuple[int, str]]:
    return {(e.row, e.field) for e in exc.errors}


def test_a_csv_file_becomes_ordinary_videos_with_their_options(owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        batch = batch_create_from_file(owner=owner, data=CSV.encode(), filename="harbour-stories.csv")

    assert batch.name == "harbour stories"
    keeper, waves = batch.videos.order_by("pk")
    assert (keeper.title, keeper.aspect, keeper.fps, keeper.captions, keeper.speech_rate) == (
        "Keeper",
        "9:16",
        24,
        False,
        180,
    )
    assert (waves.title, waves.aspect, waves.fps, waves.captions, waves.speech_rate) == ("Waves", "1:1", 30, True, 165)
    for video in (keeper, waves):
        assert video.status == Video.Status.STORYBOARD  # the storyboard job ran
        assert video.jobs.get().kind == VideoJobKind.STORYBOARD
        assert all(scene.picture_id and scene.narration_audio_id for scene in video.scenes.all())
    progress = batch_progress(batches_with_progress().get(pk=batch.pk))
    assert (progress.total, progress.finished, progress.percent) == (2, True, 100)
    assert progress.counts["storyboard"] == 2 and [item.row for item in progress.videos] == [1, 2]


def test_a_jsonl_file_is_read_one_object_per_line(owner):
    lines = [{"script": ONE, "title": "One"}, {"script": TWO, "project": None, "captions": False}]
    data = "\n".join(json.dumps(line) for line in lines).encode()

    batch = batch_create_from_file(owner=owner, data=data, filename="rows.jsonl", name="Night shift")

    assert batch.name == "Night shift"
    assert list(batch.videos.order_by("pk").values_list("title", "captions")) == [
        ("One", True),
        ("Night shift #2", False),
    ]


def test_every_problem_of_every_row_is_reported_and_nothing_is_created(owner):
    rows = [
        {"script": ONE, "fps": "30"},  # wrong type
        {"script": TWO, "caption": False},  # unknown field
        {"title": "No script"},
        {"script": ONE, "aspect": "4:3", "voice": "klingon"},  # two bad options
        {"script": "   "},  # empty script
        {"script": ONE},  # fine
    ]
    with pytest.raises(BatchInvalid) as caught:
        batch_create(owner=owner, rows=rows)

    assert _errors(caught.value) == {
        (1, "fps"),
        (2, "caption"),
        (3, "script"),
        (4, "aspect"),
        (4, "voice"),
        (5, "script"),
    }
    assert caught.value.message_dict["rows.1.fps"] == ["Must be a whole number."]
    assert not Video.objects.exists() and not Batch.objects.exists() and not Job.objects.exists()


def test_a_csv_with_an_unknown_column_and_bad_cells_says_which(owner):
    data = f'script,fps,caption,captions\n"{ONE}",thirty,no,maybe\n'.encode()

    with pytest.raises(BatchInvalid) as caught:
        batch_create_from_file(owner=owner, data=data, filename="b.csv")

    assert _errors(caught.value) == {(0, "file"), (1, "fps"), (1, "captions")}
    (file_error,) = [e.message for e in caught.value.errors if e.row == 0]
    assert "Unknown column 'caption'" in file_error
    assert not Video.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"script\n\xff\xfe not utf-8\n", "not UTF-8"),
        (b"", "empty"),
        (b"title\nA title\n", "no `script` column"),
        (b'{"script": "Hi."}\n{"script": \n', "not valid JSON"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(owner, data, message):
    with pytest.raises(BatchInvalid) as caught:
        batch_create_from_file(owner=owner, data=data, filename="b.csv" if data[:1] != b"{" else "b.jsonl")
    assert any(message in e.message for e in caught.value.errors), caught.value.errors


def test_the_size_and_row_limits_come_from_the_settings(owner, settings):
    settings.CONTENTIZER_BATCH_MAX_ROWS = 2
    with pytest.raises(BatchInvalid) as caught:
        batch_create(owner=owner, rows=[{"script": ONE}] * 3)
    assert "at most 2" in caught.value.message_dict["rows"][0]

    settings.CONTENTIZER_BATCH_MAX_BYTES = 1024
    with pytest.raises(BatchInvalid) as caught:
        batch_create_from_file(owner=owner, data=b"script\n" + b"x" * 2000, filename="big.csv")
    assert "at most 1.0" in caught.value.message_dict["file"][0]


def test_the_whole_batch_must_fit_the_daily_video_quota(owner):
    Quota.objects.create(user=owner, videos_per_day=3)
    batch_create(owner=owner, rows=[{"script": ONE}])

    with pytest.raises(QuotaExceeded) as caught:
        batch_create(owner=owner, rows=[{"script": ONE}, {"script": TWO}, {"script": ONE}])

    assert "This batch has 3 videos" in str(caught.value) and "Nothing was created" in str(caught.value)
    assert caught.value.kind == "videos_per_day" and caught.value.retry_after_seconds
    assert Video.objects.count() == 1 and Batch.objects.count() == 1
    batch_create(owner=owner, rows=[{"script": ONE}, {"script": TWO}])  # exactly what is left
    assert Video.objects.count() == 3


def test_the_whole_batch_must_fit_the_concurrent_jobs_quota(owner):
    Quota.objects.create(user=owner, concurrent_jobs=2)
    with pytest.raises(QuotaExceeded) as caught:
        batch_create(owner=owner, rows=[{"script": ONE}] * 3)
    assert caught.value.kind == "concurrent_jobs"
    assert not Video.objects.exists()


def test_a_row_names_a_project_by_its_code_and_only_your_own(owner, stranger):
    mine = Project.objects.create(owner=owner, name="Harbour")
    theirs = Project.objects.create(owner=stranger, name="Theirs")
    with pytest.raises(BatchInvalid) as caught:
        batch_create(owner=owner, rows=[{"script": ONE, "project": str(theirs.code)}, {"script": ONE, "project": "x"}])
    assert _errors(caught.value) == {(1, "project"), (2, "project")}

    batch = batch_create(owner=owner, rows=[{"script": ONE, "project": str(mine.code)}])
    assert batch.videos.get().project == mine
