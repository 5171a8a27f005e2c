"""Demo data of CRP stewardship: capability profiles and credentials for the demo partners (a few
lapsing soon), and today's CRP signals recorded, so the managing partners' pages have content."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone

from accounts.models import Client, Role, ServiceLine, User
from core.demo_registry import DemoContext, register_seeder
from planning.choices import Persona
from stewardship import services
from stewardship.models import CapabilityProfile, Credential

LANGUAGES = ["English", "French", "German", "Spanish", "Mandarin", "Arabic"]
OFFICES = ["London", "Manchester", "Edinburgh", "Dublin", "Frankfurt"]
CREDENTIALS = ["Solicitor (England & Wales)", "CFA", "ICAEW Chartered Accountant", "CIPP/E", "Notary"]


@register_seeder(order=60, name="CRP capability profiles and signals")
def seed_stewardship(ctx: DemoContext) -> None:
    # Idempotent: a partner with a profile already is left alone; signals are recorded once a day.
    rng = ctx.rng
    today = timezone.localdate()
    sectors = sorted(set(Client.objects.exclude(sector="").values_list("sector", flat=True)))
    lines = list(ServiceLine.objects.filter(active=True))
    personas = [value for value, _ in Persona.choices]
    partners = list(
        User.objects.filter(is_active=True, role__in=[Role.PARTNER, Role.MANAGING_PARTNER])
        .exclude(capability__isnull=False)
        .order_by("pk")
    )
    for person in partners:
        profile = CapabilityProfile.objects.create(
            user=person,
            sectors=rng.sample(sectors, k=min(len(sectors), rng.randint(1, 3))),
            languages=["English", *rng.sample(LANGUAGES[1:], k=rng.randint(0, 2))],
            jurisdictions=rng.sample(OFFICES, k=rng.randint(1, 2)),
            persona_strengths=sorted(rng.sample(personas, k=rng.randint(1, 3))),
        )
        profile.service_lines.set(rng.sample(lines, k=min(len(lines), rng.randint(1, 3))))
        for name in rng.sample(CREDENTIALS, k=rng.randint(0, 2)):
            expires = today + datetime.timedelta(days=rng.choice([20, 45, 200, 400, 900]))
            Credential.objects.get_or_create(
                user=person,
                name=name,
                defaults={"obtained_on": expires - datetime.timedelta(days=3 * 365), "expires_on": expires},
            )
    reader = (
        User.objects.filter(is_active=True)
        .filter(Q(role__in=[Role.MANAGING_PARTNER, Role.ADMIN]) | Q(is_superuser=True))
        .order_by("pk")
        .first()
    )
    opened = services.signals_sync(reader=reader) if reader else 0
    reminded = services.credentials_remind()
    ctx.stdout.write(
        f"  {len(partners)} capability profiles, {opened} open CRP signals, {reminded} credential reminders"
    )
