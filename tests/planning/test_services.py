"""Bad input is refused with field-level messages and nothing is saved; plans roll over by year."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from planning import services
from planning.models import AccountPlan, Action, Objective, Opportunity, Risk
from tests.factories import AccountPlanFactory, ServiceLineFactory, UserFactory

pytestmark = pytest.mark.django_db


def field_errors(excinfo) -> dict:
    return excinfo.value.message_dict


def test_probability_over_100_is_refused_on_the_probability_field(normal_client, alice):
    with pytest.raises(ValidationError) as excinfo:
        services.opportunity_create(
            actor=alice,
            client=normal_client,
            service_line=ServiceLineFactory(),
            description="Audit",
            estimated_fees=Decimal(1000),
            probability=120,
        )
    assert "probability" in field_errors(excinfo)
    assert not Opportunity.objects.exists()


def test_negative_fees_are_refused_on_the_fees_field(normal_client, alice):
    with pytest.raises(ValidationError) as excinfo:
        services.opportunity_create(
            actor=alice,
            client=normal_client,
            service_line=ServiceLineFactory(),
            description="Audit",
            estimated_fees=Decimal(-5),
            probability=50,
        )
    assert "estimated_fees" in field_errors(excinfo)
    assert not Opportunity.objects.exists()


@pytest.mark.parametrize("field", ["likelihood", "impact"])
@pytest.mark.parametrize("value", [0, 6])
def test_likelihood_and_impact_outside_1_to_5_are_refused(normal_client, alice, field, value):
    with pytest.raises(ValidationError) as excinfo:
        services.risk_create(
            actor=alice,
            client=normal_client,
            title="Rival firm",
            category="competitor",
            **{field: value},
        )
    assert field in field_errors(excinfo)
    assert not Risk.objects.exists()


def test_an_action_owner_who_has_left_the_firm_is_refused(plan, alice):
    leaver = UserFactory(is_active=False)
    with pytest.raises(ValidationError) as excinfo:
        services.action_create(
            actor=alice,
            plan=plan,
            owner=leaver,
            description="Call",
            due_date=datetime.date(2026, 5, 1),
        )
    assert "owner" in field_errors(excinfo)
    assert not Action.objects.exists()


def test_a_second_plan_for_the_same_client_and_year_is_refused(plan, alice):
    with pytest.raises(ValidationError) as excinfo:
        services.plan_create(actor=alice, client=plan.client, year=plan.year)
    assert "year" in field_errors(excinfo)
    assert AccountPlan.objects.count() == 1


def test_a_second_active_plan_for_the_client_is_refused(plan, alice):
    with pytest.raises(ValidationError) as excinfo:
        services.plan_create(actor=alice, client=plan.client, year=plan.year + 1, status="active")
    assert "status" in field_errors(excinfo)
    assert AccountPlan.objects.count() == 1


def test_activating_next_years_plan_archives_this_years(plan, alice):
    draft = services.plan_create(actor=alice, client=plan.client, year=plan.year + 1)
    services.plan_activate(actor=alice, plan=draft, expected_version=draft.version)
    plan.refresh_from_db()
    draft.refresh_from_db()
    assert (plan.status, draft.status) == ("archived", "active")


def test_starting_from_last_year_carries_goals_and_objectives_with_progress_as_baseline(plan, objective, alice):
    new = services.plan_start_from_last_year(actor=alice, client=plan.client, year=plan.year + 1)
    copied = Objective.objects.get(plan=new)
    assert new.status == "draft"
    assert new.north_star == plan.north_star
    assert (copied.title, copied.baseline_value, copied.current_value) == (
        objective.title,
        Decimal(4),
        None,
    )


def test_starting_from_last_year_without_an_earlier_plan_is_refused(normal_client, alice):
    with pytest.raises(ValidationError) as excinfo:
        services.plan_start_from_last_year(actor=alice, client=normal_client, year=2026)
    assert "year" in field_errors(excinfo)


def test_marking_an_action_done_stamps_the_completion_date(action, alice):
    services.action_mark_done(
        actor=alice,
        action=action,
        expected_version=action.version,
        on_date=datetime.date(2026, 3, 3),
    )
    action.refresh_from_db()
    assert (action.status, action.completed_on, action.version) == (
        "done",
        datetime.date(2026, 3, 3),
        2,
    )


def test_reopening_a_done_action_clears_its_completion_date(action, alice):
    services.action_mark_done(actor=alice, action=action, expected_version=1)
    services.action_update(actor=alice, action=action, expected_version=2, status="open")
    action.refresh_from_db()
    assert (action.status, action.completed_on) == ("open", None)


def test_an_objective_of_another_plan_cannot_be_linked_to_an_action(plan, alice):
    other = AccountPlanFactory(year=2025, status="draft")
    foreign = Objective.objects.create(plan=other, title="Elsewhere")
    with pytest.raises(ValidationError) as excinfo:
        services.action_create(
            actor=alice,
            plan=plan,
            owner=alice,
            description="Call",
            due_date=datetime.date(2026, 5, 1),
            objective=foreign,
        )
    assert "objective" in field_errors(excinfo)


def test_every_plan_write_is_in_the_history_with_its_author(objective, alice):
    from pghistory.models import MiddlewareEvents

    services.objective_update(actor=alice, objective=objective, expected_version=1, current_value=Decimal(7))
    event = MiddlewareEvents.objects.tracks(objective).filter(pgh_label="update").get()
    assert event.user == alice
    assert "current_value" in event.pgh_diff
