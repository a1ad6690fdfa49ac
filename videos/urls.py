from __future__ import annotations

from django.urls import path

from videos import batch_views, scene_media_views, script_views, views

urlpatterns = [
    path("", views.library, name="videos-library"),
    path("videos/new/", views.video_new, name="videos-new"),
    path("videos/new/write/", script_views.script_write, name="videos-script-write"),
    path("batches/new/", batch_views.batch_new, name="videos-batch-new"),
    path("batches/example.<str:fmt>", batch_views.batch_example, name="videos-batch-example"),
    path("batches/<uuid:code>/", batch_views.batch_detail, name="videos-batch"),
    path("batches/<uuid:code>/fragment/", batch_views.batch_fragment, name="videos-batch-fragment"),
    path("videos/<uuid:code>/", views.video_detail, name="videos-detail"),
    path("videos/<uuid:code>/storyboard/", views.storyboard, name="videos-storyboard"),
    path("videos/<uuid:code>/scenes/add/", views.scene_add, name="videos-scene-add"),
    path("videos/<uuid:code>/scenes/reorder/", views.scenes_reorder, name="videos-scenes-reorder"),
    path("videos/<uuid:code>/approve/", views.storyboard_approve, name="videos-approve"),
    path("videos/<uuid:code>/render/", views.video_render, name="videos-render"),
    path("videos/<uuid:code>/exports/", views.export_create, name="videos-export-create"),
    path("videos/<uuid:code>/delete/", views.video_delete, name="videos-delete"),
    path("videos/<uuid:code>/stream/", views.video_stream, name="videos-stream"),
    path("videos/<uuid:code>/download/", views.video_download, name="videos-download"),
    path("videos/<uuid:code>/poster.jpg", views.video_poster, name="videos-poster"),
    path("videos/<uuid:code>/captions.<str:fmt>", views.video_captions, name="videos-captions"),
    path("videos/<uuid:code>/credits.txt", views.video_credits_download, name="videos-credits"),
    path("scenes/<uuid:code>/edit/", views.scene_update, name="videos-scene-update"),
    path("scenes/<uuid:code>/move/", views.scene_move, name="videos-scene-move"),
    path("scenes/<uuid:code>/delete/", views.scene_delete, name="videos-scene-delete"),
    path("scenes/<uuid:code>/refine/", views.scene_refine, name="videos-scene-refine"),
    path("scenes/<uuid:code>/picture/", views.scene_picture, name="videos-scene-picture"),
    path("scenes/<uuid:code>/picture.jpg", views.scene_image, name="videos-scene-image"),
    path("jobs/<uuid:code>/", views.job_detail, name="videos-job"),
    path("jobs/<uuid:code>/fragment/", views.job_fragment, name="videos-job-fragment"),
    path("jobs/<uuid:code>/cancel/", views.job_cancel_view, name="videos-job-cancel"),
    path("jobs/<uuid:code>/retry/", views.job_retry_view, name="videos-job-retry"),
    path("exports/<uuid:code>/download/", views.export_download, name="videos-export-download"),
    path("scenes/<uuid:code>/clip/", scene_media_views.scene_clip, name="videos-scene-clip"),
    path("scenes/<uuid:code>/clip/audio/", scene_media_views.scene_clip_audio, name="videos-scene-clip-audio"),
    path("scenes/<uuid:code>/clip/remove/", scene_media_views.scene_clip_remove, name="videos-scene-clip-remove"),
    path("scenes/<uuid:code>/narration/", scene_media_views.scene_narration, name="videos-scene-narration"),
    path(
        "scenes/<uuid:code>/narration/speech/",
        scene_media_views.scene_narration_speech,
        name="videos-scene-narration-speech",
    ),
    path("scenes/<uuid:code>/media/", scene_media_views.scene_media_choice, name="videos-scene-media"),
]
