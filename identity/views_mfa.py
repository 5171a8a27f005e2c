"""The multi-factor page: set up an authenticator app (QR code, then a code from it), or give a code."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from identity import mfa


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code", max_length=20, help_text="The 6 digits your authenticator app shows, or a recovery code"
    )


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else "/"


@require_http_methods(["GET", "POST"])
def mfa_page(request):
    user = request.user
    form = CodeForm(request.POST or None)
    device = mfa.confirmed_totp(user)
    if device is None:
        pending = mfa.pending_totp(user)
        if request.method == "POST" and form.is_valid():
            codes = mfa.totp_confirm(request=request, user=user, device=pending, token=form.cleaned_data["code"])
            if codes is not None:
                return render(request, "identity/mfa_codes.html", {"codes": codes, "next": _next(request)})
            form.add_error("code", "That code is not the one your app shows now. Try the next one.")
        context = {"form": form, "setup": True, "qr": mfa.qr_svg(pending), "secret": mfa.secret_of(pending)}
        status = 400 if form.errors else 200
        return render(request, "identity/mfa.html", context | {"next": _next(request)}, status=status)
    if request.method == "POST" and form.is_valid():
        if mfa.mfa_verify(request=request, user=user, token=form.cleaned_data["code"]):
            return redirect(_next(request))
        form.add_error("code", "That code is wrong or already used.")
    context = {"form": form, "setup": False, "next": _next(request)}
    return render(request, "identity/mfa.html", context, status=400 if form.errors else 200)


@require_POST
def recovery_codes(request):
    if not request.user.is_verified():
        messages.error(request, "Give a code from your authenticator app first.")
        return redirect("mfa")
    codes = mfa.recovery_codes_renew(user=request.user)
    return render(request, "identity/mfa_codes.html", {"codes": codes, "next": "/"})
