"""Capability profiles and credentials: a lapsing credential notifies its holder once."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.test import override_settings

from accounts.models import Notification
from stewardship import services
from stewardship.models import CapabilityProfile, Credential
from stewardship.tasks import daily_stewardship

pytestmark = pytest.mark.django_db


@override_settings(CREDENTIAL_REMINDER_DAYS=60)
def test_a_credential_about_to_lapse_notifies_its_holder_once(alice, bob, mike, today):
    lapsing = Credential.objects.create(user=alice, name="Solicitor", expires_on=today + datetime.timedelta(days=20))
    Credential.objects.create(user=bob, name="Notary", expires_on=today + datetime.timedelta(days=200))
    daily_stewardship()
    daily_stewardship()
    notes = list(Notification.objects.values_list("user", "title"))
    assert notes == [(alice.pk, f"Your credential “Solicitor” lapses on {lapsing.expires_on:%d %b %Y}")]


def test_a_renewed_credential_is_reminded_again_before_its_new_date(alice, today):
    credential = Credential.objects.create(user=alice, name="Solicitor", expires_on=today + datetime.timedelta(days=5))
    assert services.credentials_remind(on=today) == 1
    credential.expires_on = today + datetime.timedelta(days=400)
    credential.save()
    assert services.credentials_remind(on=today + datetime.timedelta(days=360)) == 1
    assert Notification.objects.filter(user=alice).count() == 2


def test_the_daily_round_is_on_the_beat_schedule():
    assert settings.CELERY_BEAT_SCHEDULE["stewardship-daily"]["task"] == "stewardship.tasks.daily_stewardship"


def test_a_partner_keeps_their_own_profile(alice, login):
    response = login(alice).post(
        f"/stewardship/partners/{alice.pk}/profile/",
        {"sectors": "Energy, Mining", "languages": "German", "jurisdictions": "London", "persona_strengths": ["elder"]},
    )
    assert response.status_code == 302
    profile = CapabilityProfile.objects.get(user=alice)
    assert profile.sectors == ["Energy", "Mining"]
    assert (profile.languages, profile.persona_strengths) == (["German"], ["elder"])


def test_a_credential_that_expires_before_it_was_obtained_is_refused(alice, login):
    response = login(alice).post(
        f"/stewardship/partners/{alice.pk}/credentials/",
        {"name": "CFA", "obtained_on": "2026-05-01", "expires_on": "2026-01-01"},
        follow=True,
    )
    assert "A credential expires after it was obtained." in response.content.decode()
    assert not Credential.objects.exists()


def test_another_partner_cannot_add_to_a_profile(alice, bob, login):
    response = login(bob).post(f"/stewardship/partners/{alice.pk}/credentials/", {"name": "CFA"})
    assert response.status_code == 404
    assert not Credential.objects.exists()
