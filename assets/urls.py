from __future__ import annotations

from django.urls import path

from assets import views

urlpatterns = [
    path("my-media/", views.asset_list, name="assets-list"),
    path("my-media/upload/", views.asset_upload, name="assets-upload"),
    path("my-media/<uuid:code>/file", views.asset_file, name="assets-file"),
    path("my-media/<uuid:code>/delete/", views.asset_delete, name="assets-delete"),
    path("scenes/<uuid:code>/clip/", views.scene_clip, name="assets-scene-clip"),
    path("scenes/<uuid:code>/clip/audio/", views.scene_clip_audio, name="assets-scene-clip-audio"),
    path("scenes/<uuid:code>/clip/remove/", views.scene_clip_remove, name="assets-scene-clip-remove"),
    path("scenes/<uuid:code>/narration/", views.scene_narration, name="assets-scene-narration"),
    path("scenes/<uuid:code>/narration/speech/", views.scene_narration_speech, name="assets-scene-narration-speech"),
    path("scenes/<uuid:code>/media/", views.scene_media_choice, name="assets-scene-media"),
    # Public (Replicate posts here); verified by signature, not by session.
    path("hooks/replicate", views.replicate_webhook, name="assets-replicate-webhook"),
]
