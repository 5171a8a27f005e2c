"""Persona guidance and mismatch, succession readiness and bench, the capacity check."""

from __future__ import annotations

import pytest
from django.test import override_settings

from accounts.models import Assignment, PracticeGroup
from planning.models import AccountPlan
from stewardship.models import CapabilityProfile, Succession
from stewardship.selectors.firm import capacity_check, succession_view
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_client_page_shows_the_persona_guidance_and_flags_a_mismatch(alice, normal_client, login):
    AccountPlan.objects.create(client=normal_client, year=2026, status="active", persona="front_door")
    body = login(alice).get(normal_client.get_absolute_url()).content.decode()
    assert "experience friction reduction" in body
    assert "A Growth-tier client whose plan calls for Front-Door" in body


def test_a_suitable_persona_is_not_flagged(alice, normal_client, login):
    AccountPlan.objects.create(client=normal_client, year=2026, status="active", persona="rainmaker")
    body = login(alice).get(normal_client.get_absolute_url()).content.decode()
    assert "direct revenue growth" in body
    assert 'data-testid="persona-mismatch"' not in body


def test_the_persona_mix_across_growth_clients(mike, alice, normal_client, login):
    AccountPlan.objects.create(client=normal_client, year=2026, status="active", persona="front_door")
    ClientFactory(name="No Plan plc", crp=alice)
    body = login(mike).get("/stewardship/capacity/").content.decode()
    assert "Front-Door: <strong>1</strong>" in body
    assert "No persona in an active plan: 1" in body


def test_clients_without_a_ready_successor_and_the_bench(mike, alice, bob, normal_client):
    group = PracticeGroup.objects.create(name="Energy group")
    alice.practice_group = group
    alice.save()
    ready = ClientFactory(name="Ready plc", crp=alice)
    Succession.objects.create(client=ready, successor=bob, readiness="ready_now")
    Assignment.objects.create(client=normal_client, user=bob, role="sam")
    view = succession_view(mike)
    assert [r.client_name for r in view.without_ready_successor] == ["Harbour Energy plc"]
    harbour = view.without_ready_successor[0]
    assert (harbour.successor, harbour.readiness_label) == ("Bob Outsider", "Not assessed")
    bench = next(b for b in view.bench if b.practice_group == "Energy group")
    assert (bench.clients, bench.ready_now, bench.no_ready_successor) == (2, 1, 1)


@override_settings(CRP_MAX_GROWTH_CLIENTS=2)
def test_capacity_counts_capable_unloaded_partners_and_their_spare_slots(mike, growth):
    group = PracticeGroup.objects.create(name="Deals")
    full = UserFactory(full_name="Full Partner", practice_group=group)
    spare = UserFactory(full_name="Spare Partner", practice_group=group)
    UserFactory(full_name="No Persona Partner", practice_group=group)
    for person in (full, spare):
        CapabilityProfile.objects.create(user=person, persona_strengths=["rainmaker"], sectors=["Energy"])
    for n in range(2):
        ClientFactory(name=f"Deal {n}", crp=full, tier=growth)
    deals = next(r for r in capacity_check(mike).by_group if r.name == "Deals")
    assert (deals.growth_clients, deals.capable, deals.capable_unloaded, deals.spare_slots) == (2, 2, 1, 2)


@override_settings(CRP_MAX_GROWTH_CLIENTS=3)
def test_capacity_reads_sectors_service_lines_and_current_credentials_by_group_and_office(mike, growth, today):
    import datetime

    from accounts.models import Office, ServiceLine
    from stewardship.models import ClientNeeds, Credential

    deals = PracticeGroup.objects.create(name="Deals")
    london = Office.objects.get_or_create(name="London")[0]
    tax = ServiceLine.objects.create(name="Tax advisory")
    lead = UserFactory(full_name="Lead Partner", practice_group=deals, office=london)
    wrong_sector = UserFactory(full_name="Mining Partner", practice_group=deals, office=london)
    lapsed = UserFactory(full_name="Lapsed Partner", practice_group=deals, office=london)
    fits = UserFactory(full_name="Fitting Partner", practice_group=deals, office=london)
    for person, sectors in ((wrong_sector, ["Mining"]), (lapsed, ["Energy"]), (fits, ["Energy"])):
        profile = CapabilityProfile.objects.create(user=person, persona_strengths=["rainmaker"], sectors=sectors)
        profile.service_lines.set([tax])
    Credential.objects.create(user=lapsed, name="FCA approved", expires_on=today - datetime.timedelta(days=1))
    Credential.objects.create(user=fits, name="FCA approved", expires_on=today + datetime.timedelta(days=300))
    client = ClientFactory(name="Harbour Energy plc", crp=lead, tier=growth, sector="Energy")
    client.service_lines.set([tax])
    ClientNeeds.objects.create(client=client, required_credentials=["FCA approved"])

    capacity = capacity_check(mike, today)
    for rows, name in ((capacity.by_group, "Deals"), (capacity.by_office, "London")):
        row = next(r for r in rows if r.name == name)
        assert (row.growth_clients, row.capable, row.capable_unloaded) == (1, 1, 1)
        assert row.uncovered == [] and row.enough

    Credential.objects.filter(user=fits).update(expires_on=today - datetime.timedelta(days=1))
    row = next(r for r in capacity_check(mike, today).by_group if r.name == "Deals")
    assert (row.capable, row.uncovered, row.enough) == (0, ["Harbour Energy plc"], False)


def test_the_overview_keeps_its_firm_figures_until_the_scheduled_refresh(mike, alice, normal_client, login):
    """Seconds of work in a large firm: computed once, kept, and refreshed on the scheduled queue."""
    from stewardship.selectors.firm import firm_headline
    from stewardship.tasks import refresh_firm_headline
    from tests.dates import today

    http = login(mike)
    first = http.get("/stewardship/").context["headline"]
    fresh = firm_headline(mike, today(), fresh=True)
    assert (first.led_clients, first.without_ready_successor, first.growth_clients) == (
        fresh.led_clients,
        fresh.without_ready_successor,
        fresh.growth_clients,
    )
    ClientFactory(name="Later Client plc", crp=alice)
    kept = http.get("/stewardship/")
    assert kept.context["headline"].led_clients == first.led_clients  # kept: not yet refreshed
    assert 'data-testid="headline-as-of"' in kept.content.decode()
    assert refresh_firm_headline.delay().get() is True
    assert http.get("/stewardship/").context["headline"].led_clients == first.led_clients + 1


@override_settings(STEWARDSHIP_FIGURES_CACHE_SECONDS=0)
def test_without_keeping_the_overview_counts_every_visit_afresh(mike, alice, normal_client, login):
    from stewardship.tasks import refresh_firm_headline

    http = login(mike)
    before = http.get("/stewardship/").context["headline"].led_clients
    ClientFactory(name="Later Client plc", crp=alice)
    assert http.get("/stewardship/").context["headline"].led_clients == before + 1
    assert refresh_firm_headline.delay().get() is False
