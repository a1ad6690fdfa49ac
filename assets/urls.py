from __future__ import annotations

from django.urls import path

from assets import views

urlpatterns = [
    path("my-media/", views.asset_list, name="assets-list"),
    path("my-media/upload/", views.asset_upload, name="assets-upload"),
    path("my-media/<uuid:code>/file", views.asset_file, name="assets-file"),
    path("my-media/<uuid:code>/delete/", views.asset_delete, name="assets-delete"),
    path("samples/voices/<str:voice>.wav", views.voice_sample, name="assets-voice-sample"),
    path("samples/music/<str:bed>.wav", views.music_sample, name="assets-music-sample"),
    # Public (Replicate posts here); verified by signature, not by session.
    path("hooks/replicate", views.replicate_webhook, name="assets-replicate-webhook"),
]
