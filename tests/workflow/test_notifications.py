"""People hear when something becomes theirs, when its date passes, in-app, by email and in their feed."""

from __future__ import annotations

import datetime

import icalendar
import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Assignment, Notification
from planning import calendar
from planning.services import action_create, action_update, review_create, risk_create
from tests.factories import AccountPlanFactory, ActionFactory, ClientReviewFactory, UserFactory
from workflow.services.notify import daily_email_send, daily_email_set, due_dates_passed

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(normal_client):
    return AccountPlanFactory(client=normal_client, status="active")


def titles(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("title", flat=True))


def test_assigning_an_action_to_someone_tells_them(plan, alice, bob):
    action_create(actor=alice, plan=plan, owner=bob, description="Send the pitch deck", due_date=timezone.localdate())
    assert titles(bob) == [f"Assigned to you: Send the pitch deck (due {timezone.localdate():%d %b %Y})"]


def test_taking_an_action_oneself_sends_no_notice(plan, alice):
    action_create(actor=alice, plan=plan, owner=alice, description="Call the GC", due_date=timezone.localdate())
    assert titles(alice) == []


def test_reassigning_an_action_tells_the_new_owner_only(plan, alice, bob, carol):
    action = action_create(
        actor=alice, plan=plan, owner=alice, description="Draft the QBR", due_date=timezone.localdate()
    )
    action_update(actor=alice, action=action, expected_version=action.version, description="Draft the QBR deck")
    assert titles(bob) == []
    action_update(actor=alice, action=action, expected_version=action.version, owner=bob)
    assert len(titles(bob)) == 1 and titles(carol) == []


def test_risk_owners_and_review_attendees_hear_of_it(normal_client, alice, bob):
    risk_create(actor=alice, client=normal_client, title="Competitor on the panel", category="competitor", owner=bob)
    review_create(actor=alice, client=normal_client, planned_date=timezone.localdate(), firm_attendees=[bob])
    assert sorted(titles(bob)) == sorted(
        [
            "Assigned to you: risk Competitor on the panel",
            f"Assigned to you: client review planned {timezone.localdate():%d %b %Y}",
        ]
    )


def test_a_due_date_passing_tells_the_owner_once(plan, bob):
    ActionFactory(
        plan=plan,
        owner=bob,
        description="Chase the invoice",
        due_date=timezone.localdate() - datetime.timedelta(days=1),
    )
    ActionFactory(
        plan=plan, owner=bob, description="Not yet due", due_date=timezone.localdate() + datetime.timedelta(days=1)
    )
    assert due_dates_passed() == 1
    assert due_dates_passed() == 0
    assert titles(bob) == ["Overdue: Chase the invoice"]


def test_a_notice_of_a_confidential_client_disappears_when_its_reader_leaves_the_team(
    confidential_client, alice, crp_of_wall
):
    plan = AccountPlanFactory(client=confidential_client)
    action_create(actor=crp_of_wall, plan=plan, owner=alice, description="Nightjar call", due_date=timezone.localdate())
    assert Notification.objects.readable_by(alice).count() == 1
    Assignment.objects.filter(client=confidential_client, user=alice).update(end_date=timezone.localdate())
    assert Notification.objects.readable_by(alice).count() == 0


def test_the_daily_email_lists_what_became_yours_once(plan, alice, bob):
    daily_email_set(actor=bob, daily=True)
    action_create(actor=alice, plan=plan, owner=bob, description="Prepare pricing", due_date=timezone.localdate())
    assert daily_email_send(user_id=bob.pk) == 1
    assert "Prepare pricing" in mail.outbox[0].body and mail.outbox[0].to == [bob.email]
    assert daily_email_send(user_id=bob.pk) == 0  # nothing new since


def test_the_calendar_feed_holds_ones_reviews_as_well_as_actions(plan, bob):
    ActionFactory(plan=plan, owner=bob, description="Send the deck")
    review = ClientReviewFactory(client=plan.client, planned_date=timezone.localdate() + datetime.timedelta(days=9))
    review.firm_attendees.add(bob)
    ClientReviewFactory(client=plan.client).firm_attendees.add(UserFactory())
    summaries = [str(e["summary"]) for e in icalendar.Calendar.from_ical(calendar.ical_for(bob)).walk("VEVENT")]
    assert sorted(summaries) == sorted([f"{plan.client.name}: Send the deck", f"{plan.client.name}: client review"])


def test_a_documents_renewal_date_reminds_the_crp_once(normal_client, alice):
    from django.contrib.contenttypes.models import ContentType

    from workflow.models import Document

    Document.objects.create(
        client=normal_client,
        subject_type=ContentType.objects.get_for_model(normal_client),
        subject_id=normal_client.pk,
        title="Panel contract",
        kind="panel_contract",
        renewal_on=timezone.localdate() + datetime.timedelta(days=20),
    )
    assert due_dates_passed() == 1 and due_dates_passed() == 0
    on = timezone.localdate() + datetime.timedelta(days=20)
    assert titles(alice) == [f"Renewal or rate review of Panel contract on {on:%d %b %Y}"]


def test_an_opportunity_given_to_someone_tells_them(normal_client, alice, bob):
    from planning.services import opportunity_create
    from tests.factories import ServiceLineFactory

    opportunity_create(
        actor=alice,
        client=normal_client,
        service_line=ServiceLineFactory(),
        description="Panel for disputes",
        estimated_fees=1000,
        owner=bob,
    )
    assert titles(bob) == ["Assigned to you: opportunity Panel for disputes"]
