"""URLs under /api/: the OpenAPI schema and its docs, the account page, and v1.

No trailing slashes in v1. Anything else under /api/ answers the JSON 404 shape.
"""

from __future__ import annotations

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from assets import api as assets_api
from assets import generations_api
from contentizer_site import api_account
from core.api_errors import api_not_found
from jobs import api as jobs_api
from videos import api as videos_api
from videos import (
    aspect_api,
    batch_api,
    brand_kit_api,
    caption_preset_api,
    delivery_api,
    export_api,
    project_api,
    review_api,
    scene_media_api,
    storyboard_api,
    voiceover_api,
)

v1 = [
    path("videos/<uuid:code>/voiceover", voiceover_api.VideoVoiceoverApi.as_view(), name="api-videos-voiceover"),
    # videos
    path("videos", videos_api.VideoListCreateApi.as_view(), name="api-videos-list"),
    path("videos/<uuid:code>", videos_api.VideoDetailApi.as_view(), name="api-videos-detail"),
    path("videos/<uuid:code>/approve", videos_api.VideoApproveApi.as_view(), name="api-videos-approve"),
    path("videos/<uuid:code>/render", videos_api.VideoRenderApi.as_view(), name="api-videos-render"),
    path("videos/<uuid:code>/cost", videos_api.VideoCostApi.as_view(), name="api-videos-cost"),
    path("videos/<uuid:code>/jobs", videos_api.VideoJobListApi.as_view(), name="api-videos-jobs"),
    path("videos/<uuid:code>/storyboard", storyboard_api.VideoStoryboardApi.as_view(), name="api-videos-storyboard"),
    path("videos/<uuid:code>/scenes", storyboard_api.SceneListCreateApi.as_view(), name="api-videos-scenes"),
    path("videos/<uuid:code>/scenes/order", storyboard_api.SceneOrderApi.as_view(), name="api-videos-scenes-order"),
    path("videos/<uuid:code>/stream", delivery_api.VideoStreamApi.as_view(), name="api-videos-stream"),
    path("videos/<uuid:code>/download", delivery_api.VideoDownloadApi.as_view(), name="api-videos-download"),
    path("videos/<uuid:code>/poster", delivery_api.VideoPosterApi.as_view(), name="api-videos-poster"),
    path("videos/<uuid:code>/captions.vtt", delivery_api.VideoCaptionsVttApi.as_view(), name="api-videos-captions-vtt"),
    path("videos/<uuid:code>/captions.srt", delivery_api.VideoCaptionsSrtApi.as_view(), name="api-videos-captions-srt"),
    path("videos/<uuid:code>/credits", delivery_api.VideoCreditsApi.as_view(), name="api-videos-credits"),
    path("videos/<uuid:code>/aspects", aspect_api.VideoAspectsApi.as_view(), name="api-videos-aspects"),
    path(
        "videos/<uuid:code>/masters/<str:aspect>/render",
        aspect_api.VideoMasterRenderApi.as_view(),
        name="api-videos-master-render",
    ),
    path(
        "videos/<uuid:code>/masters/<str:aspect>/stream",
        delivery_api.VideoMasterStreamApi.as_view(),
        name="api-videos-master-stream",
    ),
    path(
        "videos/<uuid:code>/masters/<str:aspect>/download",
        delivery_api.VideoMasterDownloadApi.as_view(),
        name="api-videos-master-download",
    ),
    path(
        "videos/<uuid:code>/masters/<str:aspect>/poster",
        delivery_api.VideoMasterPosterApi.as_view(),
        name="api-videos-master-poster",
    ),
    path(
        "videos/<uuid:code>/masters/<str:aspect>/captions.vtt",
        delivery_api.VideoMasterCaptionsVttApi.as_view(),
        name="api-videos-master-captions-vtt",
    ),
    path(
        "videos/<uuid:code>/masters/<str:aspect>/captions.srt",
        delivery_api.VideoMasterCaptionsSrtApi.as_view(),
        name="api-videos-master-captions-srt",
    ),
    path("videos/<uuid:code>/exports", export_api.ExportListCreateApi.as_view(), name="api-videos-exports"),
    path(
        "videos/<uuid:code>/review-links", review_api.ReviewLinkListCreateApi.as_view(), name="api-videos-review-links"
    ),
    path("review-links/<uuid:code>", review_api.ReviewLinkDetailApi.as_view(), name="api-review-links-detail"),
    # scenes
    path("scenes/<uuid:code>", storyboard_api.SceneDetailApi.as_view(), name="api-scenes-detail"),
    path("scenes/<uuid:code>/move", storyboard_api.SceneMoveApi.as_view(), name="api-scenes-move"),
    path("scenes/<uuid:code>/refine", storyboard_api.SceneRefineApi.as_view(), name="api-scenes-refine"),
    path("scenes/<uuid:code>/picture", storyboard_api.ScenePictureApi.as_view(), name="api-scenes-picture"),
    path(
        "scenes/<uuid:code>/picture-candidates",
        storyboard_api.ScenePictureCandidatesApi.as_view(),
        name="api-scenes-picture-candidates",
    ),
    path("scenes/<uuid:code>/artwork", storyboard_api.SceneArtworkApi.as_view(), name="api-scenes-artwork"),
    path("scenes/<uuid:code>/clip", scene_media_api.SceneClipApi.as_view(), name="api-scenes-clip"),
    path("scenes/<uuid:code>/narration", scene_media_api.SceneNarrationApi.as_view(), name="api-scenes-narration"),
    # exports
    path("exports/<uuid:code>", export_api.ExportDetailApi.as_view(), name="api-exports-detail"),
    path("exports/<uuid:code>/download", export_api.ExportDownloadApi.as_view(), name="api-exports-download"),
    # jobs
    path("jobs", jobs_api.JobListApi.as_view(), name="api-jobs-list"),
    path("jobs/<uuid:code>", jobs_api.JobDetailApi.as_view(), name="api-jobs-detail"),
    path("jobs/<uuid:code>/cancel", jobs_api.JobCancelApi.as_view(), name="api-jobs-cancel"),
    path("jobs/<uuid:code>/retry", jobs_api.JobRetryApi.as_view(), name="api-jobs-retry"),
    # the brand kit (one per account) and each video's switch
    path("brand-kit", brand_kit_api.BrandKitApi.as_view(), name="api-brand-kit"),
    path("brand-kit/logo", brand_kit_api.BrandKitLogoApi.as_view(), name="api-brand-kit-logo"),
    path("videos/<uuid:code>/brand-kit", brand_kit_api.VideoBrandKitApi.as_view(), name="api-videos-brand-kit"),
    # caption presets
    path("caption-presets", caption_preset_api.CaptionPresetListCreateApi.as_view(), name="api-caption-presets-list"),
    path(
        "caption-presets/<uuid:code>",
        caption_preset_api.CaptionPresetDetailApi.as_view(),
        name="api-caption-presets-detail",
    ),
    # projects
    path("projects", project_api.ProjectListCreateApi.as_view(), name="api-projects-list"),
    path("projects/<uuid:code>", project_api.ProjectDetailApi.as_view(), name="api-projects-detail"),
    path("projects/<uuid:code>/videos", project_api.ProjectVideoListApi.as_view(), name="api-projects-videos"),
    path("projects/<uuid:code>/jobs", project_api.ProjectJobListApi.as_view(), name="api-projects-jobs"),
    # assets
    path("assets", assets_api.AssetListCreateApi.as_view(), name="api-assets-list"),
    path("assets/<uuid:code>", assets_api.AssetDetailApi.as_view(), name="api-assets-detail"),
    path("assets/<uuid:code>/file", assets_api.AssetFileApi.as_view(), name="api-assets-file"),
    # stand-alone pictures and narrations, scripts from a topic
    path("pictures", generations_api.PictureListCreateApi.as_view(), name="api-pictures-list"),
    path("pictures/<uuid:code>", generations_api.PictureDetailApi.as_view(), name="api-pictures-detail"),
    path("narrations", generations_api.NarrationListCreateApi.as_view(), name="api-narrations-list"),
    path("narrations/<uuid:code>", generations_api.NarrationDetailApi.as_view(), name="api-narrations-detail"),
    path("scripts", generations_api.ScriptWriteApi.as_view(), name="api-scripts"),
    # batches
    path("batches", batch_api.BatchListCreateApi.as_view(), name="api-batches-list"),
    path("batches/<uuid:code>", batch_api.BatchDetailApi.as_view(), name="api-batches-detail"),
    # account and webhooks
    path("account/token/rotate", api_account.AccountTokenRotateApi.as_view(), name="api-account-token-rotate"),
    path("account/webhook", jobs_api.AccountWebhookApi.as_view(), name="api-account-webhook"),
    path(
        "account/webhook/rotate-secret",
        jobs_api.AccountWebhookSecretRotateApi.as_view(),
        name="api-account-webhook-rotate-secret",
    ),
    path("webhooks/deliveries", jobs_api.WebhookDeliveryListApi.as_view(), name="api-webhooks-deliveries"),
    path(
        "webhooks/deliveries/<uuid:code>",
        jobs_api.WebhookDeliveryDetailApi.as_view(),
        name="api-webhooks-delivery-detail",
    ),
    # operators
    path("health", jobs_api.HealthApi.as_view(), name="api-health"),
    path("workers", jobs_api.WorkerStatusApi.as_view(), name="api-workers"),
]

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # Our template: drf-spectacular's own links Google Fonts.
    path(
        "redoc/",
        SpectacularRedocView.as_view(url_name="api-schema", template_name="api/redoc.html"),
        name="api-redoc",
    ),
    path("account/", api_account.api_account, name="api-account"),
    path("v1/", include(v1)),
    re_path(r"^[\s\S]*$", api_not_found),
]
