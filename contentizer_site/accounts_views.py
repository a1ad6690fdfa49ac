"""Sign-up and log-in (rate limited); the other account pages are Django's auth views with
our templates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.client_address import client_address
from core.ratelimit import FormThrottle, longest_wait, retry_after, wait_in_words


class LoginForm(AuthenticationForm):
    """Refuses, before checking any password, when the caller is over a limit."""

    refusal: str = ""

    def clean(self):  # noqa: ANN201 - Django's signature
        if self.refusal:
            raise ValidationError(self.refusal, code="throttled")
        return super().clean()


def _login_throttles(request: HttpRequest) -> list[FormThrottle]:
    throttles = [FormThrottle("login_address", client_address(request))]
    username = (request.POST.get("username") or "").strip().casefold()
    if username:
        throttles.append(FormThrottle("login_account", username))
    return throttles


class LoginView(auth_views.LoginView):
    """Failed logins are counted per account and per client address; over either limit the
    form answers 429 with a message (and the password is not checked)."""

    form_class = LoginForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        throttles = _login_throttles(request)
        wait = longest_wait(throttles)
        form = self.get_form()
        if wait is not None:
            form.refusal = f"Too many failed log-in attempts. Please wait {wait_in_words(wait)} and try again."
            form.is_valid()
            return retry_after(self.render_to_response(self.get_context_data(form=form), status=429), wait)
        if form.is_valid():
            return self.form_valid(form)
        for throttle in throttles:
            throttle.hit()
        return self.form_invalid(form)


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("videos-library")
    form = UserCreationForm(request.POST or None)
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
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome, {user.username}. Write a script to make your first video.")
            return redirect("videos-library")
        return render(request, "registration/signup.html", {"form": form}, status=400)
    return render(request, "registration/signup.html", {"form": form})
