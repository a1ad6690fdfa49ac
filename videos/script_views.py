""" "Write it for me" on the new-video page: a topic, a length and a tone become a first
draft of the script (assets.script_writing.script_from_topic, synchronously as
`POST /api/v1/scripts` does), put in the script field for the creator to edit.

With htmx the answer is the writer's own block (the draft in a hidden field that
pages.js copies into the script, or the errors inline); without it, the whole new-video
page again with every field as it was and the script replaced. Only where the site has
a Replicate token; otherwise 404, and the page does not offer it.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from assets.script_writing import ScriptWritingFailed, script_from_topic, script_writing_available
from core.ratelimit import FormThrottle, retry_after, wait_in_words
from videos.forms import ScriptTopicForm, VideoForm
from videos.views import new_video_page, writer_context


def _answer(request: HttpRequest, form: ScriptTopicForm, *, status: int, script: str = "", **extra) -> HttpResponse:
    context = writer_context(form, written=script, **extra)
    if request.htmx:
        # htmx swaps 400 and 409 answers only (base.html's htmx-config): a refusal that is
        # not the input's fault (429, 502) comes back as 409 to be shown in place.
        return render(request, "videos/_script_writer.html", context, status=409 if status in (429, 502) else status)
    # Without JavaScript: the new-video page again, everything as it was, the script replaced.
    data = request.POST.copy()
    if script:
        data["script"] = script
    video_form = VideoForm(data, owner=request.user)
    return new_video_page(request, video_form, status=status, extra=context)


@login_required
@require_POST
def script_write(request: HttpRequest) -> HttpResponse:
    if not script_writing_available():
        raise Http404("Script writing is not available on this site.")
    form = ScriptTopicForm(request.POST)
    # The API's creation counter (POST /api/v1/scripts counts there too).
    throttle = FormThrottle.for_user("video_create", request.user)
    wait = throttle.wait_seconds()
    if wait is not None:
        failure = f"You have asked for a lot in the last minute. Please wait {wait_in_words(wait)}."
        return retry_after(_answer(request, form, status=429, failure=failure), wait)
    if not form.is_valid():
        return _answer(request, form, status=400)
    try:
        written = script_from_topic(owner=request.user, **form.cleaned_data)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
        return _answer(request, form, status=400)
    except ScriptWritingFailed as exc:
        return _answer(request, form, status=502, failure=f"The script could not be written: {exc}")
    throttle.hit()
    return _answer(request, form, status=200, script=written.script, words=written.words)
