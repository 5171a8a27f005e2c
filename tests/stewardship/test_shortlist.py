"""The CRP shortlist: fit on each need, load against the policy, conflicts, and the wall."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from accounts.models import Assignment, Role
from planning.models import AccountPlan
from stewardship import services
from stewardship.models import CapabilityProfile, ClientNeeds, Credential, Succession
from stewardship.selectors.shortlist import crp_shortlist
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db


def ids(shortlist) -> list[int]:
    return [c.user.pk for c in shortlist.candidates]


def test_a_partner_walled_off_from_the_client_is_never_offered(mike, alice, bob, confidential_client, login):
    offered = ids(crp_shortlist(mike, confidential_client, limit=100))
    assert bob.pk not in offered
    assert alice.pk in offered  # on the team
    page = login(mike).get(f"/stewardship/clients/{confidential_client.pk}/shortlist/").content.decode()
    assert "Bob Outsider" not in page and "Alice Partner" in page


def test_naming_a_walled_off_partner_as_successor_is_refused(mike, bob, confidential_client):
    with pytest.raises(ValidationError) as error:
        services.succession_set(actor=mike, client=confidential_client, successor=bob, readiness="ready_now")
    assert "walled off" in error.value.message_dict["successor"][0]
    assert not Succession.objects.exists()


@override_settings(CRP_OVERLOAD_WEIGHT=4)
def test_an_overloaded_partner_is_ranked_down_with_the_reason(mike, growth, maintain):
    client = ClientFactory(name="Target Energy plc", sector="Energy", tier=maintain)
    busy = UserFactory(full_name="Busy Partner")
    free = UserFactory(full_name="Free Partner")
    for person in (busy, free):
        CapabilityProfile.objects.create(user=person, sectors=["Energy"])
    for n in range(2):  # two Growth clients, weight 2 each: 4, at the limit; one more goes past it
        ClientFactory(name=f"Busy client {n}", crp=busy, tier=growth)
    shortlist = crp_shortlist(mike, client, limit=100)
    order = ids(shortlist)
    assert order.index(free.pk) < order.index(busy.pk)
    busy_row = next(c for c in shortlist.candidates if c.user == busy)
    expected = f"overloaded: workload {4 + maintain.workload_weight:.1f} with this client, above 4"
    assert expected in busy_row.reason


def test_fit_counts_each_need_and_says_which(mike, maintain):
    client = ClientFactory(name="Deutsche Kunde AG", sector="Energy", tier=maintain)
    ClientNeeds.objects.create(client=client, languages=["German"], required_credentials=["Solicitor"])
    AccountPlan.objects.create(client=client, year=2026, status="active", persona="planner")
    good = UserFactory(full_name="Greta Good")
    CapabilityProfile.objects.create(user=good, sectors=["energy"], languages=["German"], persona_strengths=["planner"])
    Credential.objects.create(user=good, name="Solicitor", expires_on=datetime.date(2099, 1, 1))
    lapsed = UserFactory(full_name="Larry Lapsed")
    CapabilityProfile.objects.create(user=lapsed, sectors=["Energy"], languages=["German"])
    Credential.objects.create(user=lapsed, name="Solicitor", expires_on=datetime.date(2020, 1, 1))
    shortlist = crp_shortlist(mike, client, limit=100)
    first = shortlist.candidates[0]
    assert first.user == good
    for need in ("speaks German", "credential Solicitor", "persona Planner"):
        assert need in first.reason
    larry = next(c for c in shortlist.candidates if c.user == lapsed)
    assert "Missing: credential Solicitor (current)" in larry.reason


def test_leading_a_competitor_ranks_down(mike, maintain):
    client = ClientFactory(name="Rival One plc", sector="Energy", tier=maintain)
    rival = ClientFactory(name="Rival Two plc", sector="Energy", tier=maintain)
    conflicted = Assignment.objects.get(client=rival, role="crp").user
    services.needs_save(actor=mike, client=client, languages=[], required_credentials=[], competitors=[rival])
    shortlist = crp_shortlist(mike, client, limit=100)
    row = next(c for c in shortlist.candidates if c.user == conflicted)
    assert "conflict: leads competitor Rival Two plc" in row.reason
    assert row.rank == len(shortlist.candidates)


def test_picking_a_successor_from_the_shortlist(mike, alice, normal_client, login):
    other = UserFactory(full_name="Sam Successor", role=Role.PARTNER)
    http = login(mike)
    response = http.post(
        f"/stewardship/clients/{normal_client.pk}/successor/", {"successor": other.pk, "readiness": "within_2_years"}
    )
    assert response.status_code == 302
    succession = Succession.objects.get(client=normal_client)
    assert (succession.successor, succession.readiness) == (other, "within_2_years")
    assert "Sam Successor" in http.get(f"/stewardship/clients/{normal_client.pk}/shortlist/").content.decode()


def test_the_current_crp_cannot_be_their_own_successor(mike, alice, normal_client):
    with pytest.raises(ValidationError):
        services.succession_set(actor=mike, client=normal_client, successor=alice, readiness="ready_now")


def test_a_successor_named_on_a_client_without_a_sam_becomes_its_sam(mike, alice, normal_client, today):
    from accounts.crp_signals import crp_signals

    other = UserFactory(full_name="Sam Successor", role=Role.PARTNER)
    services.succession_set(actor=mike, client=normal_client, successor=other, readiness="within_2_years")
    assert Assignment.objects.filter(client=normal_client, user=other, role="sam", end_date__isnull=True).exists()
    led = next(c for p in crp_signals(mike, on=today) for c in p.clients if c.client_id == normal_client.pk)
    assert led.successor == "Sam Successor"


def test_a_successor_named_beside_a_sam_leaves_the_sam_in_place(mike, alice, bob, normal_client):
    Assignment.objects.create(client=normal_client, user=bob, role="sam")
    other = UserFactory(full_name="Sam Successor", role=Role.PARTNER)
    services.succession_set(actor=mike, client=normal_client, successor=other, readiness="ready_now")
    sams = set(
        Assignment.objects.filter(client=normal_client, role="sam", end_date__isnull=True).values_list(
            "user_id", flat=True
        )
    )
    assert sams == {bob.pk}
