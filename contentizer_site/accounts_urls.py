"""Account pages. Django's auth views keep their own URL names (login, logout,
password_change, password_change_done): LOGIN_URL and the views refer to them."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from contentizer_site import accounts_views

urlpatterns = [
    path("signup/", accounts_views.signup, name="accounts-signup"),
    path("login/", accounts_views.login, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]
