"""The Django admin lists every model of every Keyline app; audited and versioned ones are read-only."""

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import reverse

from health.models import HealthScore, Scorecard
from planning.models import Opportunity
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def project_models():
    """Models of the apps that live in this repository, found from the app registry."""
    root = Path(settings.BASE_DIR).resolve()
    for config in apps.get_app_configs():
        if Path(config.path).resolve().is_relative_to(root) and ".venv" not in Path(config.path).parts:
            yield from config.get_models()


def test_every_model_of_every_app_is_registered():
    models = list(project_models())
    assert len(models) > 40
    missing = [model._meta.label for model in models if not admin.site.is_registered(model)]
    assert missing == []


def test_every_model_list_opens_for_an_administrator(ada, login, alice):
    ClientFactory(crp=alice)
    http = login(ada)
    for model in project_models():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert http.get(url).status_code == 200, model._meta.label


def test_models_edited_through_services_are_read_only_in_the_admin(ada, login):
    http = login(ada)
    for model in (Opportunity, HealthScore, Scorecard):
        assert http.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")).status_code == 403


def test_the_admin_links_to_the_scorecard_editor(ada, login):
    body = login(ada).get(reverse("admin:index")).content.decode()
    assert f'href="{reverse("health-scorecard")}"' in body


def test_people_outside_administration_cannot_open_the_admin(alice, login):
    response = login(alice).get(reverse("admin:health_scorecard_changelist"))
    assert response.status_code == 302 and "/login/" in response.url
