"""Review links in the browser.

The creator's side (logged in, their own video only): a panel on the storyboard and video
pages that makes a link, lists the links with what the reviewers said, and revokes one.

The reviewer's side (no account): `/review/<token>/` shows the link's one video, its
storyboard's scenes or the finished video, and takes comments and a decision. Every file
it shows is served through the link's own URLs, looked up inside the link's video, so a
link opens nothing else; an unknown, expired or revoked token is a 404. Comments and
decisions are rate limited per link and client address (core.ratelimit, scope "review").
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from core.client_address import client_address
from core.delivery import serve_stored_file
from core.errors import Conflict
from core.ratelimit import FormThrottle, retry_after, wait_in_words
from videos.models import ReviewLink, Scene, Video
from videos.services.review import (
    COMMENT_MAX_CHARS,
    review_comment_add,
    review_decide,
    review_link_create,
    review_link_is_open,
    review_link_open,
    review_link_revoke,
    review_links_of,
    review_scenes,
)
from videos.views import get_video_for_user, wants_fragment

# --- the creator's panel ---------------------------------------------------------------------


def _panel(request: HttpRequest, video: Video, *, new_url: str = "", error: str = "", status: int = 200):
    links = review_links_of(video)
    _number_scenes(video, [comment for link in links for comment in link.comments.all()])
    latest = next((link for link in links if link.decision), None)
    context = {
        "video": video,
        "links": [(link, review_link_is_open(link)) for link in links],
        "latest_decision": latest,
        "new_url": new_url,
        "error": error,
    }
    return TemplateResponse(request, "videos/_review_panel.html", context, status=status)


def _number_scenes(video: Video, comments: list) -> None:
    """Each comment's scene as the pages count it (Scene 1, 2, ...)."""
    numbers = {pk: n for n, pk in enumerate(video.scenes.order_by("position").values_list("pk", flat=True), 1)}
    for comment in comments:
        comment.scene_number = numbers.get(comment.scene_id)


def _back(request: HttpRequest, video: Video) -> HttpResponse:
    target = request.POST.get("next", "")
    if target not in ("storyboard", "detail"):
        target = "storyboard"
    return redirect(reverse(f"videos-{target}", kwargs={"code": video.code}) + "#review-links")


@login_required
@require_safe
def review_panel(request: HttpRequest, code) -> HttpResponse:
    return _panel(request, get_video_for_user(request, code))


@login_required
@require_POST
def review_link_make(request: HttpRequest, code) -> HttpResponse:
    video = get_video_for_user(request, code)
    try:
        link, token = review_link_create(video=video, shows=request.POST.get("shows", ""))
    except (ValidationError, Conflict) as exc:
        error = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        if wants_fragment(request):
            return _panel(request, video, error=error, status=400)
        messages.error(request, error)
        return _back(request, video)
    url = request.build_absolute_uri(reverse("videos-review-page", kwargs={"token": token}))
    if wants_fragment(request):
        return _panel(request, video, new_url=url)
    messages.success(request, f"Review link made; share it now, it is not shown again: {url}")
    return _back(request, video)


@login_required
@require_POST
def review_link_revoke_view(request: HttpRequest, code) -> HttpResponse:
    link = get_object_or_404(ReviewLink.objects.select_related("video"), code=code, video__owner=request.user)
    review_link_revoke(link=link)
    if wants_fragment(request):
        return _panel(request, link.video)
    messages.success(request, "Review link revoked: it no longer opens.")
    return _back(request, link.video)


# --- the reviewer's page ----------------------------------------------------------------------


def _open(token: str) -> ReviewLink:
    link = review_link_open(token=token)
    if link is None:
        raise Http404("This review link does not exist, has expired or was revoked.")
    return link


def _page(request: HttpRequest, link: ReviewLink, token: str, *, error: str = "", status: int = 200) -> HttpResponse:
    comments = list(link.comments.all())
    _number_scenes(link.video, comments)
    context = {
        "link": link,
        "video": link.video,
        "token": token,
        "scenes": review_scenes(link) if link.shows == ReviewLink.Shows.STORYBOARD else [],
        "comments": comments,
        "comment_max": COMMENT_MAX_CHARS,
        "error": error,
        "form": request.POST if request.method == "POST" else {},
    }
    response = TemplateResponse(request, "videos/review.html", context, status=status)
    # The token is in the URL: keep it out of other sites' logs and out of caches.
    # ("same-origin", not "no-referrer": with no referrer a form's Origin is "null" and
    # Django's CSRF check refuses it.)
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def review_page(request: HttpRequest, token: str) -> HttpResponse:
    return _page(request, _open(token), token)


def _throttle(request: HttpRequest, link: ReviewLink) -> FormThrottle:
    return FormThrottle("review", f"{link.pk}:{client_address(request)}")


def _write(request: HttpRequest, token: str, action) -> HttpResponse:
    link = _open(token)
    throttle = _throttle(request, link)
    wait = throttle.wait_seconds()
    if wait is not None:
        error = f"Many comments came from here in a short time. Please wait {wait_in_words(wait)}."
        return retry_after(_page(request, link, token, error=error, status=429), wait)
    try:
        action(link)
    except ValidationError as exc:
        return _page(request, link, token, error=" ".join(exc.messages), status=400)
    throttle.hit()
    return redirect(reverse("videos-review-page", kwargs={"token": token}) + "#comments")


@require_POST
def review_comment(request: HttpRequest, token: str) -> HttpResponse:
    def add(link: ReviewLink) -> None:
        at = request.POST.get("at_seconds", "").strip()
        try:
            at_ms = round(float(at) * 1000) if at else None
        except ValueError:
            raise ValidationError({"at_ms": "Give the time in seconds, e.g. 12 or 12.5."}) from None
        review_comment_add(
            link=link,
            body=request.POST.get("body", ""),
            author=request.POST.get("author", ""),
            scene_code=request.POST.get("scene", ""),
            at_ms=at_ms,
        )

    return _write(request, token, add)


@require_POST
def review_decision(request: HttpRequest, token: str) -> HttpResponse:
    def decide(link: ReviewLink) -> None:
        review_decide(
            link=link,
            decision=request.POST.get("decision", ""),
            body=request.POST.get("body", ""),
            author=request.POST.get("author", ""),
        )

    return _write(request, token, decide)


# --- the link's files: only its own video's ----------------------------------------------


def _scene(link: ReviewLink, scene_code: uuid.UUID) -> Scene:
    if link.shows != ReviewLink.Shows.STORYBOARD:
        raise Http404("This link shows the finished video.")
    scene = link.video.scenes.select_related("picture", "narration_audio").filter(code=scene_code).first()
    if scene is None:
        raise Http404("No such scene in this storyboard.")
    return scene


@require_safe
def review_scene_picture(request: HttpRequest, token: str, scene: uuid.UUID) -> HttpResponse:
    found = _scene(_open(token), scene)
    if found.picture is None:
        raise Http404("This scene has no picture yet.")
    return serve_stored_file(request, found.picture.file.name, content_type=found.picture.mime or "image/jpeg")


@require_safe
def review_scene_narration(request: HttpRequest, token: str, scene: uuid.UUID) -> HttpResponse:
    found = _scene(_open(token), scene)
    if found.narration_audio is None:
        raise Http404("This scene has no narration yet.")
    audio = found.narration_audio
    return serve_stored_file(request, audio.file.name, content_type=audio.mime or "audio/mpeg")


def _video_link(token: str) -> Video:
    link = _open(token)
    if link.shows != ReviewLink.Shows.VIDEO or not link.video.master:
        raise Http404("This link shows no finished video.")
    return link.video


@require_safe
def review_video(request: HttpRequest, token: str) -> HttpResponse:
    return serve_stored_file(request, _video_link(token).master.name, content_type="video/mp4")


@require_safe
def review_poster(request: HttpRequest, token: str) -> HttpResponse:
    return serve_stored_file(request, _video_link(token).poster.name, content_type="image/jpeg")


@require_safe
def review_captions(request: HttpRequest, token: str) -> HttpResponse:
    video = _video_link(token)
    return serve_stored_file(request, video.captions_vtt.name, content_type="text/vtt", same_origin=True)
