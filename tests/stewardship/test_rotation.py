"""The rotation calendar: proposals clear of renewal windows; accept, move and decline."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from planning.models import PanelAppointment, Risk, Transition
from reports.pdf.periods import Quarter
from stewardship import services
from stewardship.models import RotationDecision
from stewardship.selectors.rotation import handover_window, rotation_calendar

pytestmark = pytest.mark.django_db

WINDOW = 90
OVERLAP = 90


def row_of(mike, client):
    return next(r for r in rotation_calendar(mike) if r.client_id == client.pk)


@override_settings(CRP_RENEWAL_WINDOW_DAYS=WINDOW, CRP_ROTATION_OVERLAP_DAYS=OVERLAP)
def test_a_proposed_rotation_never_lands_in_a_retender_window(mike, long_client, today):
    # Re-tenders one month into each of the next three quarters: the proposal must skip past them all.
    retenders = [Quarter.containing(today).next.start + datetime.timedelta(days=30 + 91 * i) for i in range(3)]
    for i, day in enumerate(retenders):
        PanelAppointment.objects.create(client=long_client, panel_name=f"Legal panel {i}", retender_on=day)
    row = row_of(mike, long_client)
    assert row.proposed is not None
    start, end = handover_window(row.proposed)
    for day in retenders:
        assert not (start - datetime.timedelta(days=WINDOW) <= day <= end + datetime.timedelta(days=WINDOW))
    assert any("Re-tender of Legal panel 0" in text for text in row.avoided)


@override_settings(CRP_RENEWAL_WINDOW_DAYS=WINDOW, CRP_ROTATION_OVERLAP_DAYS=OVERLAP)
def test_every_retender_date_over_two_years_is_avoided(mike, long_client, today):
    """Whatever single day the re-tender falls on, the proposed handover stays clear of it."""
    panel = PanelAppointment.objects.create(client=long_client, panel_name="Panel", retender_on=today)
    for offset in range(0, 730, 17):
        day = today + datetime.timedelta(days=offset)
        PanelAppointment.objects.filter(pk=panel.pk).update(retender_on=day)
        row = row_of(mike, long_client)
        start, end = handover_window(row.proposed)
        assert not (start - datetime.timedelta(days=WINDOW) <= day <= end + datetime.timedelta(days=WINDOW)), day


def test_an_open_critical_risk_pushes_the_proposal_past_the_stress(mike, long_client, today):
    quiet = row_of(mike, long_client).proposed
    Risk.objects.create(client=long_client, title="Regulator inquiry", category="regulatory", likelihood=5, impact=5)
    row = row_of(mike, long_client)
    assert row.proposed.start > quiet.start
    assert "an open critical risk" in row.avoided


def test_an_open_critical_incident_pushes_the_proposal_past_the_stress_until_resolved(mike, long_client, today):
    from listening.models import Incident, RootCause

    quiet = row_of(mike, long_client).proposed
    crp = long_client.assignments.get(role="crp", end_date__isnull=True).user
    incident = Incident.objects.create(
        client=long_client, title="Missed filing deadline", severity="critical", owner=crp, occurred_on=today
    )
    row = row_of(mike, long_client)
    assert row.proposed.start > quiet.start
    assert row.avoided == ["an open critical incident"]
    cause = RootCause.objects.create(name="Resourcing")
    Incident.objects.filter(pk=incident.pk).update(resolved_on=today, root_cause=cause)
    assert row_of(mike, long_client).proposed == quiet


def test_moving_into_a_rate_review_window_is_refused_and_changes_nothing(mike, long_client, today):
    target = Quarter.containing(today).next.next
    PanelAppointment.objects.create(client=long_client, panel_name="Rates", rate_review_on=target.start)
    with pytest.raises(ValidationError) as error:
        services.rotation_decide(
            actor=mike, client=long_client, status="moved", quarter=target, reason="Board asked for it"
        )
    assert "renewal window" in error.value.message_dict["quarter"][0]
    assert not RotationDecision.objects.exists()


def test_accepting_opens_the_transition_with_the_policy_overlap(mike, long_client, alice, today):
    from accounts.models import Assignment

    Assignment.objects.create(client=long_client, user=alice, role="sam")
    quarter = row_of(mike, long_client).proposed
    decision = services.rotation_decide(
        actor=mike, client=long_client, status="accepted", quarter=quarter, reason="Ten years", incoming=alice
    )
    transition = Transition.objects.get(client=long_client)
    assert decision.transition == transition
    assert transition.incoming == alice and transition.reason == "long_tenure"
    assert (transition.overlap_start, transition.overlap_end) == handover_window(quarter)
    assert row_of(mike, long_client).state == "transition"


def test_a_decline_needs_a_reason(mike, long_client):
    with pytest.raises(ValidationError) as error:
        services.rotation_decide(actor=mike, client=long_client, status="declined", quarter=None, reason="  ")
    assert "reason" in error.value.message_dict


def test_only_managing_partners_and_admins_decide(alice, carol, long_client, login):
    for person in (alice, carol):
        assert login(person).post(f"/stewardship/rotation/{long_client.pk}/", {"status": "declined"}).status_code == 403
    assert not RotationDecision.objects.exists()


def test_the_calendar_page_lists_the_proposal(mike, long_client, login):
    response = login(mike).get("/stewardship/rotation/")
    assert response.status_code == 200
    assert "Longstanding Mining plc" in response.content.decode()


def test_the_decision_form_accepts_and_refuses_through_the_page(mike, long_client, alice, today, login):
    from accounts.models import Assignment

    Assignment.objects.create(client=long_client, user=alice, role="sam")
    http = login(mike)
    url = f"/stewardship/rotation/{long_client.pk}/"
    assert "Alice Partner" in http.get(url).content.decode()  # the SAM offered as incoming
    refused = http.post(url, {"status": "moved", "quarter": "someday", "reason": "x"})
    assert "Write the quarter as year and quarter" in refused.content.decode()
    quarter = row_of(mike, long_client).proposed
    accepted = http.post(url, {"status": "accepted", "quarter": quarter.code, "incoming": alice.pk, "reason": "Agreed"})
    assert accepted.status_code == 302
    assert Transition.objects.get(client=long_client).incoming == alice


def test_accepting_links_the_transition_a_transition_decision_opened(mike, long_client, alice, today):
    from accounts.models import Assignment
    from stewardship.models import CrpSignal

    Assignment.objects.create(client=long_client, user=alice, role="sam")
    services.signals_sync(reader=mike, on=today)
    signal = CrpSignal.objects.get(client=long_client, kind="rotation_due")
    decided = services.signal_decide(
        actor=mike, signal=signal, decision="transition", reason="Rotate", review_on=today + datetime.timedelta(90)
    )
    row = row_of(mike, long_client)
    assert row.state == "transition" and row.decision is None  # still to be confirmed on the calendar
    quarter = row.quarter.next
    accepted = services.rotation_decide(
        actor=mike, client=long_client, status="accepted", quarter=quarter, reason="Agreed", incoming=alice
    )
    transition = Transition.objects.get(client=long_client)
    assert accepted.transition == decided.transition == transition
    assert (transition.overlap_start, transition.overlap_end) == handover_window(quarter)


def test_the_calendar_offers_to_confirm_a_transition_a_decision_opened(mike, long_client, alice, today, login):
    from accounts.models import Assignment
    from stewardship.models import CrpSignal

    Assignment.objects.create(client=long_client, user=alice, role="sam")
    services.signals_sync(reader=mike, on=today)
    signal = CrpSignal.objects.get(client=long_client, kind="rotation_due")
    services.signal_decide(
        actor=mike, signal=signal, decision="transition", reason="Rotate", review_on=today + datetime.timedelta(90)
    )
    body = login(mike).get("/stewardship/rotation/").content.decode()
    assert "Transition to Alice Partner" in body
    assert f"/stewardship/rotation/{long_client.pk}/" in body
