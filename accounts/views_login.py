"""Logging in and resetting a password, each throttled beyond what django-axes does per address."""

from axes.helpers import get_client_ip_address
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from accounts.throttle import LOGIN_FAILURES_PER_ACCOUNT, PASSWORD_RESETS_PER_ADDRESS, PASSWORD_RESETS_PER_EMAIL

ACCOUNT_LOCKED = "Too many failed sign-ins to this account in the last hour. Try again later, or reset your password."
TOO_MANY_RESETS = "Too many password reset requests in the last hour. Try again later."


class ThrottledAuthenticationForm(AuthenticationForm):
    """Counts failed sign-ins per account whatever the address, and refuses the account for the rest of
    the hour once there are too many, even with the right password (so guessing gains nothing)."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if username and LOGIN_FAILURES_PER_ACCOUNT.exceeded(username):
            raise ValidationError(ACCOUNT_LOCKED, code="throttled")
        try:
            return super().clean()
        except ValidationError as error:
            if username and error.code == "invalid_login":
                LOGIN_FAILURES_PER_ACCOUNT.count(username)
            raise


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    """Counts requests per email address and per client address, whether or not the email is a user's
    (so the answer says nothing about who has an account)."""

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        address = get_client_ip_address(self.request) or ""
        if PASSWORD_RESETS_PER_EMAIL.exceeded(email) or PASSWORD_RESETS_PER_ADDRESS.exceeded(address):
            form.add_error(None, TOO_MANY_RESETS)
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        PASSWORD_RESETS_PER_EMAIL.count(email)
        PASSWORD_RESETS_PER_ADDRESS.count(address)
        return super().form_valid(form)
