"""CRP transitions: exactly one current CRP before, after and when completion fails midway."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Assignment
from planning import services
from planning.models import ChecklistItem, Transition
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def current_crps(client) -> list:
    return list(
        Assignment.objects.filter(client=client, role="crp", end_date__isnull=True).values_list(
            "user__email", flat=True
        )
    )


@pytest.fixture
def successor(normal_client):
    return UserFactory(email="sam@firm.example", full_name="Sam Successor")


@pytest.fixture
def transition(normal_client, alice, successor):
    return services.transition_create(
        actor=alice,
        client=normal_client,
        incoming=successor,
        reason="succession",
        overlap_start=datetime.date(2026, 1, 1),
        overlap_end=datetime.date(2026, 3, 31),
        consent_required=True,
        consent_received_on=datetime.date(2026, 1, 10),
    )


def test_planning_a_transition_records_the_outgoing_crp_and_a_handover_checklist(transition, alice):
    assert transition.outgoing == alice
    assert ChecklistItem.objects.filter(transition=transition).count() >= 3


def test_completing_a_transition_hands_over_to_exactly_one_new_crp(transition, normal_client, alice, mike):
    assert current_crps(normal_client) == ["alice@firm.example"]
    services.transition_complete(
        actor=mike,
        transition=transition,
        expected_version=transition.version,
        on_date=datetime.date(2026, 3, 31),
    )
    assert current_crps(normal_client) == ["sam@firm.example"]
    transition.refresh_from_db()
    assert (transition.status, transition.completed_on) == ("completed", datetime.date(2026, 3, 31))


def test_a_completion_that_fails_midway_leaves_the_old_crp_and_an_open_transition(
    transition, normal_client, alice, mike
):
    # The transition row is written first; the handover then fails (a date before the CRP started).
    with pytest.raises(ValidationError):
        services.transition_complete(
            actor=mike,
            transition=transition,
            expected_version=transition.version,
            on_date=datetime.date(2020, 1, 1),
        )
    assert current_crps(normal_client) == ["alice@firm.example"]
    assert Transition.objects.get(pk=transition.pk).status == "planned"
    assert Transition.objects.get(pk=transition.pk).version == 1


def test_completing_without_the_required_consent_is_refused(normal_client, alice, mike, successor):
    transition = services.transition_create(
        actor=alice,
        client=normal_client,
        incoming=successor,
        reason="workload",
        overlap_start=datetime.date(2026, 1, 1),
        overlap_end=datetime.date(2026, 2, 1),
        consent_required=True,
    )
    with pytest.raises(ValidationError) as excinfo:
        services.transition_complete(actor=mike, transition=transition, expected_version=1)
    assert "consent_received_on" in excinfo.value.message_dict
    assert current_crps(normal_client) == ["alice@firm.example"]


def test_a_transition_to_the_current_crp_is_refused(normal_client, alice):
    with pytest.raises(ValidationError) as excinfo:
        services.transition_create(
            actor=alice,
            client=normal_client,
            incoming=alice,
            reason="workload",
            overlap_start=datetime.date(2026, 1, 1),
            overlap_end=datetime.date(2026, 2, 1),
        )
    assert "incoming" in excinfo.value.message_dict
    assert not Transition.objects.exists()


def test_an_overlap_ending_before_it_starts_is_refused(normal_client, alice, successor):
    with pytest.raises(ValidationError) as excinfo:
        services.transition_create(
            actor=alice,
            client=normal_client,
            incoming=successor,
            reason="workload",
            overlap_start=datetime.date(2026, 3, 1),
            overlap_end=datetime.date(2026, 2, 1),
        )
    assert "overlap_end" in excinfo.value.message_dict
    assert not Transition.objects.exists()


def test_a_new_crp_gets_a_30_60_90_day_onboarding_checklist(transition, normal_client, alice, mike, successor):
    services.transition_complete(
        actor=mike, transition=transition, expected_version=1, on_date=datetime.date(2026, 3, 31)
    )
    steps = ChecklistItem.objects.filter(assignment__user=successor, assignment__client=normal_client)
    assert {step.phase for step in steps} == {"30", "60", "90"}
    assert min(step.due_date for step in steps) == datetime.date(2026, 4, 30)


def test_a_team_member_assignment_gets_no_onboarding_checklist(normal_client):
    member = UserFactory()
    Assignment.objects.create(client=normal_client, user=member, role="team")
    assert not ChecklistItem.objects.filter(assignment__user=member).exists()


def test_completing_through_the_plan_page_hands_over(transition, plan, normal_client, mike, login):
    response = login(mike).post(f"/plans/{plan.pk}/transitions/{transition.pk}/complete/", {"version": 1})
    assert response.status_code == 302
    assert current_crps(normal_client) == ["sam@firm.example"]
