"""REST API for review links: make one for a video, list a video's links with what the
reviewers said, read or revoke one. (Conventions as in videos.api: one view per
operation, objects by `code` within what the user may see, else 404.)
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from core.api_base import ApiView, Pagination, get_scoped_or_404
from core.api_errors import error_responses
from core.api_fields import StrictInputSerializer
from core.api_links import api_url
from videos.models import ReviewComment, ReviewLink, Video
from videos.services.review import REVIEW_LINK_MAX_DAYS, review_link_create, review_link_is_open, review_link_revoke

TAGS = ["review links"]


class ReviewLinkInputSerializer(StrictInputSerializer):
    shows = serializers.ChoiceField(
        choices=ReviewLink.Shows.choices,
        required=False,
        help_text="What the reviewer sees; the finished video when there is one, else the storyboard.",
    )
    expires_in_days = serializers.IntegerField(
        required=False, min_value=1, max_value=REVIEW_LINK_MAX_DAYS, help_text="Default 14."
    )


class ReviewCommentSerializer(serializers.ModelSerializer):
    scene = serializers.SerializerMethodField(help_text="The scene's code, or null for the whole video")

    class Meta:
        model = ReviewComment
        fields = ["code", "scene", "at_ms", "author", "body", "decision", "created_at"]

    def get_scene(self, comment: ReviewComment) -> str | None:
        return str(comment.scene.code) if comment.scene else None


class ReviewLinkSerializer(serializers.ModelSerializer):
    self = serializers.SerializerMethodField(help_text="This link's own API URL (DELETE it to revoke)")
    url = serializers.SerializerMethodField(
        help_text="The page to share. Only in the answer that made the link: its secret is not stored."
    )
    video = serializers.SerializerMethodField()
    active = serializers.SerializerMethodField(help_text="Neither expired nor revoked")
    comments = ReviewCommentSerializer(many=True, read_only=True)

    class Meta:
        model = ReviewLink
        fields = [
            "code",
            "self",
            "url",
            "video",
            "shows",
            "created_at",
            "expires_at",
            "revoked_at",
            "active",
            "decision",
            "decided_at",
            "comments",
        ]

    def get_self(self, link: ReviewLink) -> str:
        return api_url(self.context, "api-review-links-detail", code=link.code)

    def get_url(self, link: ReviewLink) -> str | None:
        token = self.context.get("token")
        return api_url(self.context, "videos-review-page", token=token) if token else None

    def get_video(self, link: ReviewLink) -> str:
        return str(link.video.code)

    def get_active(self, link: ReviewLink) -> bool:
        return review_link_is_open(link)


def _links():
    return ReviewLink.objects.select_related("video").prefetch_related("comments", "comments__scene")


class ReviewLinkListCreateApi(ApiView):
    pagination_class = Pagination

    @extend_schema(
        tags=TAGS,
        summary="List a video's review links",
        description="Newest first, revoked and expired ones included, each with its comments. "
        "`url` is null: a link's secret is only shown when it is made.",
        responses={200: ReviewLinkSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request, code):
        video = get_scoped_or_404(request, Video.objects.all(), code, "video")
        return self.paginated(_links().filter(video=video), ReviewLinkSerializer)

    @extend_schema(
        tags=TAGS,
        summary="Make a review link",
        description="A page anyone with its `url` can open without an account, until it expires or "
        "is revoked: the storyboard's scenes (pictures, text, narration) or the finished video, "
        "with comments and approve / ask for changes.",
        request=ReviewLinkInputSerializer,
        responses={201: ReviewLinkSerializer, **error_responses(400, 401, 404, 409, 415)},
    )
    def post(self, request, code):
        video = get_scoped_or_404(request, Video.objects.all(), code, "video")
        data = self.valid(ReviewLinkInputSerializer)
        link, token = review_link_create(
            video=video, shows=data.get("shows", ""), expires_in_days=data.get("expires_in_days")
        )
        body = ReviewLinkSerializer(link, context={"request": request, "token": token}).data
        return Response(body, status=status.HTTP_201_CREATED)


class ReviewLinkDetailApi(ApiView):
    @extend_schema(
        tags=TAGS,
        summary="A review link and its comments",
        responses={200: ReviewLinkSerializer, **error_responses(401, 404)},
    )
    def get(self, request, code):
        link = get_scoped_or_404(request, _links(), code, "review link", owner_field="video__owner")
        return self.out(ReviewLinkSerializer, link)

    @extend_schema(
        tags=TAGS,
        summary="Revoke a review link",
        description="Its page answers 404 from now on; its comments stay.",
        responses={204: None, **error_responses(401, 404)},
    )
    def delete(self, request, code):
        link = get_scoped_or_404(request, _links(), code, "review link", owner_field="video__owner")
        review_link_revoke(link=link)
        return Response(status=status.HTTP_204_NO_CONTENT)
