"""REST API for jobs, webhook settings and deliveries, and the operators' health and
workers views."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.renderers import JSONRenderer

from core.api_base import ApiView, Pagination, get_scoped_or_404, scoped
from core.api_errors import error_responses
from core.api_tokens import api_token_user
from core.health import operator_checks, run_checks
from jobs import services, webhooks
from jobs.models import Job, WebhookDelivery
from jobs.registry import job_kind_choices, job_subject_relations
from jobs.serializers import (
    JobListFilterSerializer,
    JobSerializer,
    WebhookDeliverySerializer,
    WebhookSettingsInputSerializer,
    WebhookSettingsSerializer,
)
from jobs.status_cache import job_status_get
from jobs.system_status import system_status


def _job(request, code) -> Job:
    return get_scoped_or_404(request, Job.objects.select_related(*job_subject_relations()), code, "job")


# --- jobs ------------------------------------------------------------------------------------


class JobListApi(ApiView):
    pagination_class = Pagination

    @extend_schema(
        tags=["jobs"],
        summary="List jobs",
        parameters=[
            OpenApiParameter("status", enum=Job.Status.values, description="Only jobs in this status"),
            OpenApiParameter(
                "kind", enum=[name for name, _label in job_kind_choices()], description="Only jobs of this kind"
            ),
        ],
        responses={200: JobSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request):
        filters = self.valid(JobListFilterSerializer, request.query_params)
        jobs = scoped(request, Job.objects.select_related(*job_subject_relations()))
        if "status" in filters:
            jobs = jobs.filter(status=filters["status"])
        if "kind" in filters:
            jobs = jobs.filter(kind=filters["kind"])
        return self.paginated(jobs.order_by("-created_at", "-pk"), JobSerializer)


# What the fast poll answers itself; anything else (a session, HEAD, query parameters, other
# media types) goes the full DRF way, which also gives every error its usual shape.
_POLL_ACCEPTS = frozenset({"", "*/*", "application/json"})
_POLL_RENDERER = JSONRenderer()
# The rendered body per cached status and origin: rendered once per change, not per poll.
_poll_bodies: dict[tuple, bytes] = {}


def job_poll_response(request, code) -> HttpResponse | None:
    """`GET /api/v1/jobs/<code>` with a token, from memory: the token's user and the job's
    status come from their caches (no query while nothing changed), the body is
    JobSerializer's as cached at the last change with this request's origin in the links.
    None when the request needs the full view (not a token GET, unknown token or job, not
    the caller's job): that path then answers it, errors included."""
    if request.method != "GET" or request.META.get("QUERY_STRING"):
        return None
    if request.META.get("HTTP_ACCEPT", "") not in _POLL_ACCEPTS:
        return None
    parts = request.META.get("HTTP_AUTHORIZATION", "").split()
    if len(parts) != 2 or parts[0].lower() != "token":
        return None
    caller = api_token_user(key=parts[1])
    if caller is None or not caller.is_active:
        return None
    job = job_status_get(code=code)
    if job is None or (job.owner_id != caller.user_id and not caller.is_staff):
        return None
    origin = f"{request.scheme}://{request.get_host()}"
    memo = (job.code, job.stamp, job.at, origin)
    body = _poll_bodies.get(memo)
    if body is None:
        if len(_poll_bodies) >= 10_000:
            _poll_bodies.clear()
        body = _poll_bodies[memo] = _POLL_RENDERER.render(job.api_body(origin))
    response = HttpResponse(body, content_type="application/json")
    response["Allow"] = "GET, HEAD, OPTIONS"  # as DRF's answer has it
    return response


class JobDetailApi(ApiView):
    def dispatch(self, request, *args, **kwargs):
        # Every creator's page and every API client polls this: skip DRF when memory can answer.
        response = job_poll_response(request, kwargs.get("code"))
        if response is not None:
            return response
        return super().dispatch(request, *args, **kwargs)

    @extend_schema(
        tags=["jobs"],
        summary="Retrieve a job",
        description="Status, stage, progress, attempts, the failed stage and its message, estimated and "
        "actual cost, timestamps.",
        responses={200: JobSerializer, **error_responses(401, 404)},
    )
    def get(self, request, code):
        return self.out(JobSerializer, _job(request, code))


class JobCancelApi(ApiView):
    @extend_schema(
        tags=["jobs"],
        summary="Cancel a job",
        description="A queued job is canceled at once; a running one is asked to stop (`cancel_requested`) "
        "and ends as `canceled` within about a second. 409 when it has already ended.",
        request=None,
        responses={202: JobSerializer, **error_responses(401, 404, 409)},
    )
    def post(self, request, code):
        job = services.job_cancel(job=_job(request, code))
        return self.out(JobSerializer, job, status=status.HTTP_202_ACCEPTED)


class JobRetryApi(ApiView):
    @extend_schema(
        tags=["jobs"],
        summary="Retry a failed or canceled job",
        request=None,
        responses={202: JobSerializer, **error_responses(401, 404, 409)},
    )
    def post(self, request, code):
        job = services.job_retry(job=_job(request, code))
        return self.out(JobSerializer, job, status=status.HTTP_202_ACCEPTED)


# --- webhooks ----------------------------------------------------------------------------------


class AccountWebhookApi(ApiView):
    @extend_schema(
        tags=["webhooks"],
        summary="Your webhook settings and signing secret",
        responses={200: WebhookSettingsSerializer, **error_responses(401)},
    )
    def get(self, request):
        return self.out(WebhookSettingsSerializer, webhooks.webhook_settings_get(user=request.user))

    @extend_schema(
        tags=["webhooks"],
        summary="Set your default callback URL",
        request=WebhookSettingsInputSerializer,
        responses={200: WebhookSettingsSerializer, **error_responses(400, 401, 415)},
    )
    def patch(self, request):
        data = self.valid(WebhookSettingsInputSerializer)
        if "callback_url" not in data:
            return self.out(WebhookSettingsSerializer, webhooks.webhook_settings_get(user=request.user))
        obj = webhooks.webhook_settings_update(user=request.user, callback_url=data["callback_url"])
        return self.out(WebhookSettingsSerializer, obj)


class AccountWebhookSecretRotateApi(ApiView):
    @extend_schema(
        tags=["webhooks"],
        summary="Rotate your signing secret",
        description="Events sent from now on, retries included, are signed with the new secret.",
        request=None,
        responses={200: WebhookSettingsSerializer, **error_responses(401)},
    )
    def post(self, request):
        return self.out(WebhookSettingsSerializer, webhooks.webhook_secret_rotate(user=request.user))


class WebhookDeliveryListApi(ApiView):
    pagination_class = Pagination

    @extend_schema(
        tags=["webhooks"],
        summary="Your webhook deliveries, newest first",
        responses={200: WebhookDeliverySerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request):
        deliveries = scoped(request, WebhookDelivery.objects.select_related("job").prefetch_related("attempt_log"))
        return self.paginated(deliveries.order_by("-created_at", "-pk"), WebhookDeliverySerializer)


class WebhookDeliveryDetailApi(ApiView):
    @extend_schema(
        tags=["webhooks"],
        summary="One delivery with its attempts",
        responses={200: WebhookDeliverySerializer, **error_responses(401, 404)},
    )
    def get(self, request, code):
        queryset = WebhookDelivery.objects.select_related("job").prefetch_related("attempt_log")
        return self.out(WebhookDeliverySerializer, get_scoped_or_404(request, queryset, code, "delivery"))


# --- operators ----------------------------------------------------------------------------------


def _require_staff(request) -> None:
    if not request.user.is_staff:
        raise exceptions.PermissionDenied("Only operators (staff) can see this.")


class CheckSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    detail = serializers.CharField()


class HealthChecksSerializer(serializers.Serializer):
    # core.health.operator_checks: readiness's checks, then FFmpeg and a live worker.
    database = CheckSerializer()
    cache = CheckSerializer()
    storage = CheckSerializer()
    broker = CheckSerializer(required=False, help_text="Only when the queue is on Redis")
    ffmpeg = CheckSerializer()
    worker = CheckSerializer()


class HealthSerializer(serializers.Serializer):
    ok = serializers.BooleanField(help_text="Whether every check passed (also: 200 vs 503)")
    checks = HealthChecksSerializer()
    time = serializers.DateTimeField()


class HealthApi(ApiView):
    @extend_schema(
        tags=["operators"],
        summary="Health checks (staff)",
        description="The readiness checks (database, cache, storage, the Redis broker when used), "
        "ffmpeg/ffprobe present, a worker heartbeat seen recently. "
        "200 when all pass, 503 otherwise; each check says ok and why.",
        responses={200: HealthSerializer, 503: HealthSerializer, **error_responses(401, 403)},
    )
    def get(self, request):
        _require_staff(request)
        checks = {name: {"ok": ok, "detail": detail} for name, (ok, detail) in run_checks(operator_checks()).items()}
        ok = all(check["ok"] for check in checks.values())
        body = {"ok": ok, "checks": checks, "time": timezone.now()}
        return self.out(HealthSerializer, body, status=200 if ok else 503)


class ClusterSerializer(serializers.Serializer):
    cluster_id = serializers.CharField()
    host = serializers.CharField()
    status = serializers.CharField()
    workers = serializers.IntegerField(help_text="Worker processes")
    uptime_s = serializers.FloatField(allow_null=True)
    heartbeat_at = serializers.DateTimeField()


class WorkersSerializer(serializers.Serializer):
    clusters = ClusterSerializer(many=True)
    queue_depth = serializers.IntegerField(allow_null=True, help_text="Tasks waiting in the broker")
    queued_jobs = serializers.IntegerField()
    running_jobs = JobSerializer(many=True)
    stale_running_jobs = serializers.IntegerField(help_text="Running jobs whose heartbeat is stale")


class WorkerStatusApi(ApiView):
    @extend_schema(
        tags=["operators"],
        summary="Workers: clusters, queue depth, running jobs (staff)",
        responses={200: WorkersSerializer, **error_responses(401, 403)},
    )
    def get(self, request):
        _require_staff(request)
        status = system_status()
        body = {
            "clusters": [
                {
                    "cluster_id": cluster.cluster_id,
                    "host": cluster.host,
                    "status": cluster.status,
                    "workers": cluster.workers,
                    "uptime_s": (status.checked_at - cluster.started_at).total_seconds()
                    if cluster.started_at
                    else None,
                    "heartbeat_at": cluster.last_seen,
                }
                for cluster in status.clusters
            ],
            "queue_depth": status.queue_size,
            "queued_jobs": status.jobs_queued,
            "running_jobs": status.jobs_running[:100],
            "stale_running_jobs": len(status.stale_jobs),
        }
        return self.out(WorkersSerializer, body)
