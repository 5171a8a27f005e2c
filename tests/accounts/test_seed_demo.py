"""The demo firm: believable, and the same after a second run."""

import pytest
from django.core.management import call_command

from accounts.models import Assignment, Client, FeeRecord, Role, User

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int, int]:
    return (User.objects.count(), Client.objects.count(), Assignment.objects.count(), FeeRecord.objects.count())


def test_seed_demo_builds_a_firm_and_is_idempotent(capsys):
    call_command("seed_demo", "--clients", "40")
    first = counts()
    output = capsys.readouterr().out
    for email in ["partner@keyline.example", "bd@keyline.example", "mp@keyline.example", "admin@keyline.example"]:
        assert email in output
    assert User.objects.filter(role=Role.PARTNER).count() == 30
    assert User.objects.filter(role=Role.MANAGING_PARTNER).count() == 2
    assert Client.objects.filter(confidential=True).exists()
    active = Client.objects.filter(status="active")
    assert all(c.assignments.filter(role="crp", end_date__isnull=True).count() == 1 for c in active)

    call_command("seed_demo", "--clients", "40", "--quiet")
    assert counts() == first


def test_demo_partner_login_works(client):
    call_command("seed_demo", "--clients", "10", "--quiet")
    assert client.login(username="partner@keyline.example", password="keyline-demo-2026")
