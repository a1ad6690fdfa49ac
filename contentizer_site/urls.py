from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from contentizer_site import accounts_views, landing

# The API schema's field extension registers itself on import (drf-spectacular finds it by
# subclassing), so it is imported with the URLs every schema is made from (the schema view,
# `manage.py spectacular`, SchemaGenerator()), not in CoreConfig.ready: a process that loads
# no URLs (make_video) does not load drf-spectacular's plumbing, django.test and Jinja2.
from core import api_schema  # noqa: F401

# The admin's log-in page is rate limited like the site's (one rule, shared counters): it is
# routed to accounts_views.admin_login before admin.site.urls, and Django's view uses a form
# that can refuse.
admin.site.login_form = accounts_views.AdminLoginForm

# A database or Redis outage is a 503 ("try again shortly"), not a 500 (see the module).
handler500 = "contentizer_site.error_views.server_error"

urlpatterns = [
    # "/" is the library for a creator and the welcome page for a stranger.
    path("", landing.home, name="home"),
    path("welcome/", landing.landing, name="landing"),
    path("welcome/sample.mp4", landing.sample_video, name="landing-sample"),
    path("admin/login/", accounts_views.admin_login),
    path("admin/", admin.site.urls),
    path("accounts/", include("contentizer_site.accounts_urls")),
    path("api/", include("contentizer_site.api_urls")),
    path("", include("assets.urls")),
    path("", include("videos.urls")),
]
