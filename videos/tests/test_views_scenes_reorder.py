"""Reordering a storyboard's scenes in one request (what drag and drop sends)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jobs.models import Job
from videos.models import Video, VideoJobKind

pytestmark = pytest.mark.django_db

SCRIPT = (
    "The old lighthouse keeper climbs the spiral stairs slowly every single evening at dusk. "
    "Far below him the grey winter waves break hard against the black rocks of the cape. "
    "At the very top he lights the great lamp and watches the ships pass safely home."
)


def _codes(video: Video) -> list[str]:
    return [str(code) for code in video.scenes.order_by("position").values_list("code", flat=True)]


@pytest.fixture
def video(owner, make_video):
    return make_video(owner, script=SCRIPT)


def _url(video: Video) -> str:
    return reverse("videos-scenes-reorder", kwargs={"code": video.code})


def test_a_comma_separated_order_puts_the_scenes_in_that_order(client, owner, video):
    first, second, third = _codes(video)
    client.force_login(owner)

    response = client.post(_url(video), {"order": f"{third},{first},{second}"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert _codes(video) == [third, first, second]
    html = response.content.decode()
    assert html.index(f'id="scene-{third}"') < html.index(f'id="scene-{first}"') < html.index(f'id="scene-{second}"')


def test_a_repeated_order_field_works_without_javascript_and_redirects(client, owner, video):
    first, second, third = _codes(video)
    client.force_login(owner)

    response = client.post(_url(video), {"order": [second, third, first]})

    assert response.status_code == 302
    assert _codes(video) == [second, third, first]


def test_an_order_that_leaves_out_a_scene_is_refused_and_changes_nothing(client, owner, video):
    before = _codes(video)
    client.force_login(owner)

    response = client.post(_url(video), {"order": ",".join(before[:2])}, HTTP_HX_REQUEST="true")

    assert response.status_code == 400
    assert "List every scene of this video exactly once" in response.content.decode()
    assert _codes(video) == before


def test_an_order_with_a_code_that_is_not_a_uuid_is_refused(client, owner, video):
    before = _codes(video)
    client.force_login(owner)

    response = client.post(_url(video), {"order": "1,2,3"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 400
    assert _codes(video) == before


def test_a_stranger_cannot_reorder_someone_elses_storyboard(client, stranger, video):
    before = _codes(video)
    client.force_login(stranger)

    response = client.post(_url(video), {"order": ",".join(reversed(before))})

    assert response.status_code == 404
    assert _codes(video) == before


def test_reordering_withdraws_an_approval(client, owner, make_approved_video):
    video = make_approved_video(owner, script=SCRIPT)
    client.force_login(owner)

    client.post(_url(video), {"order": ",".join(reversed(_codes(video)))})

    video.refresh_from_db()
    assert video.approval == Video.Approval.NONE


def test_reordering_during_a_render_is_refused(client, owner, make_approved_video):
    video = make_approved_video(owner, script=SCRIPT)
    Job.objects.create(owner=owner, video=video, kind=VideoJobKind.RENDER, status=Job.Status.RUNNING)
    before = _codes(video)
    client.force_login(owner)

    response = client.post(_url(video), {"order": ",".join(reversed(before))}, HTTP_HX_REQUEST="true")

    assert response.status_code == 409
    assert _codes(video) == before


def test_the_storyboard_list_carries_the_reorder_url_and_each_scene_its_code(client, owner, video):
    client.force_login(owner)

    html = client.get(reverse("videos-storyboard", kwargs={"code": video.code})).content.decode()

    assert f'data-reorder-url="{_url(video)}"' in html
    for code in _codes(video):
        assert f'data-scene="{code}"' in html
