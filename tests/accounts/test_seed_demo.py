"""The demo firm: believable (signals pick out a few clients, not most), and the same after a second run."""

import pytest
from django.apps import apps
from django.core.management import call_command

from accounts.models import Client, Role, User

pytestmark = pytest.mark.django_db
PROJECT_APPS = ("accounts", "stakeholders", "planning", "health", "reports", "feeds")


def every_count() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for label in PROJECT_APPS
        for model in apps.get_app_config(label).get_models()
    }


def test_seed_demo_builds_a_firm_with_the_demo_logins(capsys):
    call_command("seed_demo", "--clients", "40")
    output = capsys.readouterr().out
    for email in ["partner@keyline.example", "bd@keyline.example", "mp@keyline.example", "admin@keyline.example"]:
        assert email in output
    assert User.objects.filter(role=Role.PARTNER).count() == 30
    assert User.objects.filter(role=Role.MANAGING_PARTNER).count() == 2
    assert Client.objects.filter(confidential=True).exists()
    active = Client.objects.filter(status="active")
    assert all(c.assignments.filter(role="crp", end_date__isnull=True).count() == 1 for c in active)


def test_seeding_twice_leaves_every_model_of_every_app_as_it_was():
    call_command("seed_demo", "--clients", "40", "--quiet")
    first = every_count()
    assert first["health.Measurement"] and first["health.HealthScore"] and first["planning.Action"]
    call_command("seed_demo", "--clients", "40", "--quiet")
    assert every_count() == first


def test_demo_partner_login_works(client):
    call_command("seed_demo", "--clients", "10", "--quiet")
    assert client.login(username="partner@keyline.example", password="keyline-demo-2026")
