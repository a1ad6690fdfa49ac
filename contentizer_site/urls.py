from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("contentizer_site.accounts_urls")),
    path("api/", include("contentizer_site.api_urls")),
    path("", include("assets.urls")),
    path("", include("videos.urls")),
]
