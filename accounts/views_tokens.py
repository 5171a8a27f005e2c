"""The user's own API tokens: made (shown once), listed with their expiry and last use, revoked."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import ApiToken
from accounts.services_tokens import DEFAULT_EXPIRY_DAYS, EXPIRY_DAYS, api_token_create, api_token_revoke, tokens_of
from core.forms import apply_errors


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What the token is for, e.g. “Excel fee sync”")
    days = forms.TypedChoiceField(
        label="Expires after",
        coerce=int,
        initial=DEFAULT_EXPIRY_DAYS,
        choices=[(days, f"{days} days") for days in EXPIRY_DAYS],
    )


@require_http_methods(["GET", "POST"])
def api_tokens(request):
    form = ApiTokenForm(request.POST or None)
    created = raw = None
    if request.method == "POST" and form.is_valid():
        try:
            created, raw = api_token_create(actor=request.user, **form.cleaned_data)
            form = ApiTokenForm()
        except ValidationError as error:
            apply_errors(form, error)
    status = 400 if request.method == "POST" and created is None else 200
    return render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "tokens": tokens_of(request.user), "created": created, "raw": raw},
        status=status,
    )


@require_POST
def api_token_revoke_view(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    api_token_revoke(actor=request.user, token=token)
    messages.success(request, f"Token “{token.name}” revoked: it no longer works.")
    return redirect("api-tokens")
