"""Pipeline totals, overdue reviews and My actions ordering."""

import datetime
from decimal import Decimal

import pytest

from planning import selectors
from planning.models import Risk
from tests.dates import today
from tests.factories import (
    AccountPlanFactory,
    ActionFactory,
    ClientFactory,
    ClientReviewFactory,
    OpportunityFactory,
)

pytestmark = pytest.mark.django_db


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def test_weighted_pipeline_counts_open_stages_only(normal_client, alice):
    OpportunityFactory(client=normal_client, estimated_fees=Decimal(100_000), probability=50, stage="qualified")
    OpportunityFactory(client=normal_client, estimated_fees=Decimal(40_000), probability=25, stage="proposal")
    OpportunityFactory(client=normal_client, estimated_fees=Decimal(999_000), probability=100, stage="won")
    OpportunityFactory(client=normal_client, estimated_fees=Decimal(999_000), probability=90, stage="lost")
    totals = selectors.pipeline_total(user=alice)
    assert totals == {"pipeline": Decimal(140_000), "weighted_pipeline": Decimal(60_000)}
    (row,) = selectors.pipeline_by_client(user=alice)
    assert (row.pk, row.weighted_pipeline) == (normal_client.pk, Decimal(60_000))


def test_pipeline_totals_add_up_across_clients_and_hide_walled_clients(normal_client, confidential_client, bob):
    other = ClientFactory()
    OpportunityFactory(client=normal_client, estimated_fees=Decimal(10_000), probability=10)
    OpportunityFactory(client=other, estimated_fees=Decimal(20_000), probability=50)
    OpportunityFactory(client=confidential_client, estimated_fees=Decimal(500_000), probability=50)
    assert selectors.pipeline_total(user=bob)["weighted_pipeline"] == Decimal(11_000)
    assert {c.pk for c in selectors.pipeline_by_client(user=bob)} == {normal_client.pk, other.pk}


def test_plan_page_pipeline_separates_sourced_and_influenced(plan):
    OpportunityFactory(client=plan.client, estimated_fees=Decimal(100), probability=50, origin="sourced")
    OpportunityFactory(client=plan.client, estimated_fees=Decimal(100), probability=20, origin="influenced")
    pipeline = selectors.plan_page(plan=plan).pipeline
    assert (pipeline.weighted, pipeline.sourced_weighted, pipeline.influenced_weighted) == (
        70,
        50,
        20,
    )


def test_a_client_whose_last_review_is_older_than_its_cadence_is_overdue(normal_client, alice):
    ClientReviewFactory(client=normal_client, planned_date=days(-100), held_date=days(-100))
    assert list(selectors.overdue_reviews(user=alice)) == [normal_client]


def test_a_client_reviewed_within_its_cadence_is_not_overdue(normal_client, alice):
    ClientReviewFactory(client=normal_client, planned_date=days(-80), held_date=days(-80))
    assert list(selectors.overdue_reviews(user=alice)) == []


def test_overdue_follows_each_clients_own_cadence(normal_client, alice):
    normal_client.review_cadence_days = 30
    normal_client.save()
    ClientReviewFactory(client=normal_client, planned_date=days(-45), held_date=days(-45))
    assert list(selectors.overdue_reviews(user=alice)) == [normal_client]


def test_a_planned_but_unheld_review_does_not_count_as_held(normal_client, alice):
    ClientReviewFactory(client=normal_client, planned_date=days(-10), held_date=None)
    assert list(selectors.overdue_reviews(user=alice)) == [normal_client]


def test_the_plan_page_flags_an_overdue_review(plan):
    ClientReviewFactory(client=plan.client, planned_date=days(-200), held_date=days(-200))
    page = selectors.plan_page(plan=plan)
    assert page.review_overdue
    assert page.review_due_on == days(-200 + plan.client.review_cadence_days)


def test_my_actions_lists_overdue_first_then_by_due_date(plan, alice):
    later = ActionFactory(plan=plan, owner=alice, due_date=days(3))
    overdue = ActionFactory(plan=plan, owner=alice, due_date=days(-2))
    soon = ActionFactory(plan=plan, owner=alice, due_date=days(1))
    ActionFactory(plan=plan, owner=alice, due_date=days(-5), status="done")
    mine = list(selectors.my_actions(user=alice))
    assert mine == [overdue, soon, later]
    assert [a.is_overdue for a in mine] == [True, False, False]


def test_my_actions_leaves_out_other_peoples_actions_and_walled_clients(plan, alice, bob, confidential_client):
    ActionFactory(plan=plan, owner=bob)
    walled = AccountPlanFactory(client=confidential_client)
    ActionFactory(plan=walled, owner=bob)
    assert [a.plan for a in selectors.my_actions(user=bob)] == [plan]


def test_heat_map_counts_open_risks_by_likelihood_and_impact(plan):
    Risk.objects.create(client=plan.client, title="a", category="pricing", likelihood=5, impact=4)
    Risk.objects.create(client=plan.client, title="b", category="pricing", likelihood=5, impact=4)
    Risk.objects.create(client=plan.client, title="c", category="pricing", likelihood=5, impact=4, status="closed")
    rows = dict(selectors.plan_page(plan=plan).heat_map.rows)
    assert rows[5][3] == (4, 2, "red")
    assert sum(count for cells in rows.values() for _, count, _ in cells) == 2


def test_a_retender_within_90_days_is_a_warning(plan):
    from planning.models import PanelAppointment

    PanelAppointment.objects.create(client=plan.client, panel_name="Legal panel", retender_on=days(60))
    PanelAppointment.objects.create(client=plan.client, panel_name="Tax panel", retender_on=days(150))
    upcoming = selectors.plan_page(plan=plan).upcoming
    assert [(u.label, u.warning) for u in upcoming] == [
        ("Re-tender of Legal panel", True),
        ("Re-tender of Tax panel", False),
    ]


def test_the_plan_checklist_shows_the_current_crps_onboarding_and_steps_added_by_hand(plan, alice):
    from planning import services
    from planning.models import ChecklistItem

    services.checklist_item_create(actor=alice, client=plan.client, phase="30", text="Read the panel terms")
    services.onboarding_checklist_create(assignment=plan.client.assignments.get(role="crp"))
    shown = {item.text for item in selectors.plan_page(plan=plan).checklist}
    assert "Read the panel terms" in shown
    assert len(shown) == ChecklistItem.objects.filter(client=plan.client).count()


def test_my_overdue_reviews_are_only_of_clients_whose_team_i_am_on(normal_client, alice, bob):
    assert list(selectors.overdue_reviews(user=bob)) == [normal_client]
    assert list(selectors.overdue_reviews(user=bob, mine=True)) == []
    assert list(selectors.overdue_reviews(user=alice, mine=True)) == [normal_client]


def test_my_actions_page_shows_my_clients_weighted_pipeline(plan, alice, login):
    OpportunityFactory(client=plan.client, estimated_fees=Decimal(200_000), probability=50)
    body = login(alice).get("/my/actions/").content.decode()
    assert 'data-testid="my-weighted-pipeline">£100,000<' in body
