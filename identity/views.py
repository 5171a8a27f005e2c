"""Identity pages: one's sessions and tokens (sign out everywhere), and BD's leavers list."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import may_see_leavers, require
from accounts.services_tokens import tokens_of
from identity.selectors import leavers_for, sessions_of
from identity.services import sign_out_everywhere

LEAVERS_REFUSED = "The leavers list is for BD, managing partners and administrators."


@require_http_methods(["GET", "POST"])
def my_sessions(request):
    if request.method == "POST":
        ended = sign_out_everywhere(user=request.user, keep=request.session.session_key)
        messages.success(request, f"Signed out of {ended} other session{'s' if ended != 1 else ''}.")
        return redirect("my-sessions")
    return render(
        request,
        "identity/sessions.html",
        {
            "sessions": sessions_of(request.user),
            "current": request.session.session_key,
            "tokens": tokens_of(request.user),
        },
    )


@require_GET
def leavers(request):
    require(may_see_leavers(request.user), LEAVERS_REFUSED)
    found = leavers_for(request.user)
    return render(request, "identity/leavers.html", {"roles": found.roles, "actions": found.actions})
