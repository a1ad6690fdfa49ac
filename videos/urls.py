from __future__ import annotations

from django.urls import path

from videos import views

urlpatterns = [
    path("videos/<uuid:code>/", views.video_detail, name="videos-detail"),
]
