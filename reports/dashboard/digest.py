"""The weekly email digest: the partner-home summary as an HTML and plain-text email."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import User
from listening.selectors import digest_line
from reports.dashboard.home import partner_summary
from reports.models import DigestDelivery


def week_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def digest_recipient_ids() -> list[int]:
    return list(
        User.objects.filter(is_active=True, weekly_digest=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def digest_send(*, user_id: int, base_url: str = "") -> bool:
    """Send this week's digest to one user once; False when opted out, inactive or already sent."""
    user = User.objects.filter(pk=user_id, is_active=True, weekly_digest=True).first()
    if user is None:
        return False
    week = week_of(timezone.localdate())
    try:
        # Claim the week first: a second run (or a retried task) finds the row and sends nothing.
        with transaction.atomic():
            delivery = DigestDelivery.objects.create(user=user, week=week)
    except IntegrityError:
        return False
    summary = partner_summary(user)
    context = {
        "user": user,
        "summary": summary,
        "base_url": base_url or getattr(settings, "SITE_URL", ""),
        "FIRM_NAME": settings.FIRM_NAME,
        "listening": digest_line(user),
    }
    message = EmailMultiAlternatives(
        subject=f"Your Keyline week: {len(summary.overdue_actions)} overdue, {len(summary.upcoming_actions)} due soon",
        body=render_to_string("reports/dashboard/email/digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    message.attach_alternative(render_to_string("reports/dashboard/email/digest.html", context), "text/html")
    try:
        message.send()
    except Exception:
        delivery.delete()  # not sent: let the next run try again
        raise
    return True
