from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from contentizer_site import landing

urlpatterns = [
    # "/" is the library for a creator and the welcome page for a stranger.
    path("", landing.home, name="home"),
    path("welcome/", landing.landing, name="landing"),
    path("welcome/sample.mp4", landing.sample_video, name="landing-sample"),
    path("admin/", admin.site.urls),
    path("accounts/", include("contentizer_site.accounts_urls")),
    path("api/", include("contentizer_site.api_urls")),
    path("", include("assets.urls")),
    path("", include("videos.urls")),
]
