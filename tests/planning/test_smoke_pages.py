import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_plan_page_renders_for_the_team(plan, objective, action, alice, login):
    response = login(alice).get(reverse("plan-detail", args=[plan.pk]))
    assert response.status_code == 200
    assert "Call the general counsel" in response.content.decode()
