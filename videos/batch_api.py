"""REST API for batches: many videos from one CSV or JSONL file, and a batch's progress.
(Conventions as in videos.api: one view per operation, objects by `code` within
what the user may see, else 404.)
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from assets.api import RETRY_AFTER
from core.api_base import ApiView, JsonOrUploadApi, Pagination, VideoCreateThrottle, get_scoped_or_404, scoped
from core.api_errors import error_responses
from videos import services
from videos.selectors import batch_progress, batches_with_progress
from videos.serializers import BatchCreateSerializer, BatchSerializer, BatchUploadSerializer


class BatchListCreateApi(JsonOrUploadApi):
    pagination_class = Pagination

    def get_throttles(self):
        # A batch is one creation for the throttle (each row still counts against the quotas).
        return [VideoCreateThrottle()] if self.request.method == "POST" else []

    @extend_schema(
        tags=["batches"],
        summary="Your batches, newest first",
        responses={200: BatchSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request):
        batches = scoped(request, batches_with_progress()).order_by("-created_at", "-pk")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(batches, request, view=self)
        data = BatchSerializer([batch_progress(b) for b in page or []], many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        tags=["batches"],
        summary="Make many videos from one file",
        description="A multipart upload (`file`: CSV with a header row, or JSONL with one object per line; "
        'optional `name`) or JSON `{"name", "rows": [...]}`. Each row takes the options of POST /videos '
        "(`script` required, `title` defaults to the batch name and the row number). Every row is checked "
        "first: one 400 names every problem as `rows.<n>.<field>` (n = 1 for the first video) and nothing is "
        "created. The whole batch must fit your quotas (videos per day, concurrent jobs: one storyboard job "
        "per video), else 429 and nothing is created. Then 202 with the batch; each video is an ordinary "
        "video with its own storyboard job.",
        request={"application/json": BatchCreateSerializer, "multipart/form-data": BatchUploadSerializer},
        parameters=[RETRY_AFTER],
        responses={202: BatchSerializer, **error_responses(400, 401, 415, 429)},
    )
    def post(self, request):
        if self.is_upload(request):
            upload = request.FILES.get("file")
            if upload is None:
                raise exceptions.ValidationError({"file": ["Attach the CSV or JSONL file as the `file` part."]})
            name = request.data.get("name", "")
            limit = settings.CONTENTIZER_BATCH_MAX_BYTES
            # Read one byte past the limit: the service refuses an over-size file by its length.
            data = upload.read(limit + 1)
            batch = services.batch_create_from_file(
                owner=request.user, data=data, filename=upload.name or "", name=name if isinstance(name, str) else ""
            )
        else:
            data = self.valid(BatchCreateSerializer)
            batch = services.batch_create(owner=request.user, rows=data["rows"], name=data["name"])
        body = BatchSerializer(batch_progress(_batch(request, batch.code)), context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["links"]["self"]})


def _batch(request, code):
    return get_scoped_or_404(request, batches_with_progress(), code, "batch")


class BatchDetailApi(ApiView):
    @extend_schema(
        tags=["batches"],
        summary="A batch's progress",
        description="Each video's status, stage, progress and error, the counts per status, whether the batch "
        "is finished and an overall percentage.",
        responses={200: BatchSerializer, **error_responses(401, 404)},
    )
    def get(self, request, code):
        return self.out(BatchSerializer, batch_progress(_batch(request, code)))
