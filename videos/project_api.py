"""REST API for projects: list, create, rename, delete, and a project's videos and jobs.
(Conventions as in videos.api: one view per operation, objects by `code` within
what the user may see, else 404.)
"""

from __future__ import annotations

from django.db.models import Count
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from core.api_base import ApiView, Pagination, get_scoped_or_404, scoped
from core.api_errors import error_responses
from jobs.models import Job
from jobs.serializers import JobSerializer
from videos import services
from videos.api import JOB_FILTERS, jobs_page, videos_with_jobs
from videos.models import Project
from videos.serializers import ProjectInputSerializer, ProjectSerializer, VideoSerializer


def _project(request, code) -> Project:
    return get_scoped_or_404(request, Project.objects.all(), code, "project")


def _projects(request):
    return scoped(request, Project.objects.annotate(num_videos=Count("videos")))


class ProjectListCreateApi(ApiView):
    pagination_class = Pagination

    @extend_schema(
        tags=["projects"],
        summary="List projects",
        responses={200: ProjectSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request):
        return self.paginated(_projects(request).order_by("name", "pk"), ProjectSerializer)

    @extend_schema(
        tags=["projects"],
        summary="Create a project",
        request=ProjectInputSerializer,
        responses={201: ProjectSerializer, **error_responses(400, 401, 415)},
    )
    def post(self, request):
        data = self.valid(ProjectInputSerializer)
        project = services.project_create(owner=request.user, name=data["name"])
        return self.out(ProjectSerializer, _projects(request).get(pk=project.pk), status=status.HTTP_201_CREATED)


class ProjectDetailApi(ApiView):
    @extend_schema(
        tags=["projects"], summary="Retrieve a project", responses={200: ProjectSerializer, **error_responses(401, 404)}
    )
    def get(self, request, code):
        return self.out(ProjectSerializer, get_scoped_or_404(request, _projects(request), code, "project"))

    @extend_schema(
        tags=["projects"],
        summary="Rename a project",
        request=ProjectInputSerializer,
        responses={200: ProjectSerializer, **error_responses(400, 401, 404, 415)},
    )
    def patch(self, request, code):
        project = _project(request, code)
        data = self.valid(ProjectInputSerializer)
        services.project_rename(project=project, name=data["name"])
        return self.out(ProjectSerializer, _projects(request).get(pk=project.pk))

    @extend_schema(
        tags=["projects"],
        summary="Delete a project",
        description="Its videos stay, outside any project.",
        responses={204: None, **error_responses(401, 404)},
    )
    def delete(self, request, code):
        services.project_delete(project=_project(request, code))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProjectVideoListApi(ApiView):
    pagination_class = Pagination

    @extend_schema(
        tags=["projects"],
        summary="The videos in a project",
        responses={200: VideoSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request, code):
        project = _project(request, code)
        videos = videos_with_jobs().filter(project=project).annotate(num_scenes=Count("scenes"))
        return self.paginated(videos.order_by("-created_at", "-pk"), VideoSerializer)


class ProjectJobListApi(ApiView):
    pagination_class = Pagination

    @extend_schema(
        tags=["projects"],
        summary="The jobs of the videos in a project",
        parameters=JOB_FILTERS,
        responses={200: JobSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request, code):
        project = _project(request, code)
        return jobs_page(self, Job.objects.filter(video__project=project))
