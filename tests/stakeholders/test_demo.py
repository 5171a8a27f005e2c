import pytest
from django.core.management import call_command

from stakeholders.models import Interaction, Relationship, Stakeholder
from stakeholders.selectors import build_org_chart, client_stakeholders

pytestmark = pytest.mark.django_db


def test_demo_seeding_maps_every_client_once(django_capture_on_commit_callbacks):
    call_command("seed_demo", "--clients", "6", "--quiet")
    counts = (Stakeholder.objects.count(), Relationship.objects.count(), Interaction.objects.count())
    assert all(counts)
    assert Stakeholder.objects.values("client").distinct().count() == 6
    call_command("seed_demo", "--clients", "6", "--quiet")
    assert (Stakeholder.objects.count(), Relationship.objects.count(), Interaction.objects.count()) == counts


def test_demo_org_charts_have_a_chief_executive_at_the_top():
    call_command("seed_demo", "--clients", "3", "--quiet")
    client = Stakeholder.objects.first().client
    chart = build_org_chart(client_stakeholders(client))
    assert "Chief Executive Officer" in [root.stakeholder.job_title for root in chart.roots]
    assert chart.depth >= 2
