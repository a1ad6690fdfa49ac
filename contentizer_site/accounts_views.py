"""Sign-up and log-in (rate limited, the admin's log-in too); the other account pages are Django's auth views with
our templates."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.client_address import client_address
from core.ratelimit import FormThrottle, longest_wait, retry_after, wait_in_words


class RefusableLoginForm(forms.Form):
    """Refuses, before checking any password, when `login_rate_limited` found the caller
    over a limit (it leaves the message on the request, which Django's login forms keep)."""

    request: HttpRequest | None

    def clean(self):  # noqa: ANN201 - Django's signature
        refusal = getattr(self.request, "login_refusal", "")
        if refusal:
            raise ValidationError(refusal, code="throttled")
        return super().clean()


class LoginForm(RefusableLoginForm, AuthenticationForm):
    pass


class AdminLoginForm(RefusableLoginForm, AdminAuthenticationForm):
    pass


def _login_throttles(request: HttpRequest) -> list[FormThrottle]:
    throttles = [FormThrottle("login_address", client_address(request))]
    username = (request.POST.get("username") or "").strip().casefold()
    if username:
        throttles.append(FormThrottle("login_account", username))
    return throttles


def login_rate_limited(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """The one log-in limit, for every log-in page (the site's and the admin's, which share
    the counters): failed logins are counted per account and per client address; over
    either limit the page answers 429 with its form and a message, and the password is not
    checked. The wrapped view's form must be a RefusableLoginForm."""

    @wraps(view)
    def limited(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        if request.method != "POST":
            return view(request, *args, **kwargs)
        throttles = _login_throttles(request)
        wait = longest_wait(throttles)
        if wait is not None:
            # Read back by RefusableLoginForm.clean (Django's login forms keep the request).
            refusal = f"Too many failed log-in attempts. Please wait {wait_in_words(wait)} and try again."
            request.login_refusal = refusal  # type: ignore[attr-defined]
            response = view(request, *args, **kwargs)
            response.status_code = 429
            return retry_after(response, wait)
        response = view(request, *args, **kwargs)
        # A successful login sets request.user; anything else (wrong password, an admin
        # login by a non-staff account) is a failure.
        if not request.user.is_authenticated:
            for throttle in throttles:
                throttle.hit()
        return response

    return limited


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


login = login_rate_limited(LoginView.as_view())


def _admin_login(request: HttpRequest) -> HttpResponse:
    # Django's own admin log-in page (its template, context and staff check); urls.py sets
    # admin.site.login_form = AdminLoginForm so that it can refuse.
    return admin.site.login(request)


admin_login = login_rate_limited(_admin_login)


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("videos-library")
    form: UserCreationForm = UserCreationForm(request.POST or None)
    if request.method == "POST":
        # Accounts made per client address: each comes with a fresh quota.
        throttle = FormThrottle("signup_address", client_address(request))
        wait = throttle.wait_seconds()
        if wait is not None:
            form.is_valid()
            form.add_error(
                None, f"Too many accounts were created from your network. Please wait {wait_in_words(wait)}."
            )
            return retry_after(render(request, "registration/signup.html", {"form": form}, status=429), wait)
        if form.is_valid():
            user = form.save()
            throttle.hit()
            auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome, {user.username}. Write a script to make your first video.")
            return redirect("videos-library")
        return render(request, "registration/signup.html", {"form": form}, status=400)
    return render(request, "registration/signup.html", {"form": form})
