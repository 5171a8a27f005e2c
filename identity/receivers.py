from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from accounts.models import User
from identity.services import session_record


@receiver(user_logged_in, dispatch_uid="identity_session_record")
def _record_session(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        # Set by the sign-in views (password, oidc, saml); other sign-ins (tests' force_login) are "other".
        session_record(request=request, user=user, method=getattr(request, "identity_method", None) or "other")
