"""The one home of the CRP signals: population, Growth, tenure, workload and successor."""

import datetime
from decimal import Decimal

import pytest

from accounts.crp_signals import crp_signals
from accounts.models import Assignment, Tier
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db
ON = datetime.date(2026, 9, 30)


@pytest.fixture
def tiers(db):
    growth = Tier.objects.get_or_create(name="Growth", defaults={"rank": 1})[0]
    develop = Tier.objects.get_or_create(name="Develop", defaults={"rank": 2})[0]
    Tier.objects.filter(pk=growth.pk).update(workload_weight=Decimal("1.5"))
    Tier.objects.filter(pk=develop.pk).update(workload_weight=Decimal("1.0"))
    growth.refresh_from_db()
    develop.refresh_from_db()
    return growth, develop


def signals_of(reader, partner, **kwargs):
    return next((p for p in crp_signals(reader, on=ON, **kwargs) if p.user_id == partner.pk), None)


def test_lost_and_dormant_clients_are_not_led(mike, tiers):
    partner = UserFactory()
    ClientFactory(crp=partner, tier=tiers[0])
    ClientFactory(crp=partner, tier=tiers[0], status="lost")
    ClientFactory(crp=partner, tier=tiers[0], status="dormant")
    assert signals_of(mike, partner).led == 1


def test_growth_is_the_tier_named_growth_whatever_its_rank(mike, tiers):
    partner = UserFactory()
    Tier.objects.filter(pk=tiers[1].pk).update(rank=0)  # a more strategic rank does not make Growth
    ClientFactory(crp=partner, tier=tiers[0])
    ClientFactory(crp=partner, tier=tiers[1])
    assert signals_of(mike, partner).growth_clients == 1


def test_workload_sums_the_tier_weights_and_overloads_above_the_setting(mike, tiers, settings):
    partner = UserFactory()
    for _ in range(4):
        ClientFactory(crp=partner, tier=tiers[0])
    ClientFactory(crp=partner, tier=tiers[1])
    signals = signals_of(mike, partner)
    assert signals.workload == Decimal("7.0") and not signals.overloaded
    settings.CRP_OVERLOAD_WEIGHT = 6
    assert signals.overloaded and "Overloaded (workload 7.0)" in signals.flags


def test_rotation_is_due_from_the_setting_s_years_of_tenure(mike, tiers, settings):
    partner = UserFactory()
    client = ClientFactory(crp=partner, tier=tiers[0])
    Assignment.objects.filter(client=client).update(start_date=ON - datetime.timedelta(days=1827))
    led = signals_of(mike, partner).clients[0]
    assert round(led.tenure_years, 1) == 5.0 and led.rotation_due
    settings.CRP_ROTATION_REVIEW_YEARS = 6
    assert not led.rotation_due


def test_a_lost_client_is_never_due_a_rotation_review(mike, tiers):
    partner = UserFactory()
    client = ClientFactory(crp=partner, tier=tiers[0], status="lost")
    Assignment.objects.filter(client=client).update(start_date=datetime.date(2010, 1, 1))
    assert signals_of(mike, partner) is None


def test_the_successor_is_the_sam_holding_the_role_on_the_day(mike, tiers):
    partner, sam = UserFactory(), UserFactory(full_name="Sam Successor")
    with_sam, without = ClientFactory(crp=partner, tier=tiers[0]), ClientFactory(crp=partner, tier=tiers[0])
    Assignment.objects.create(client=with_sam, user=sam, role="sam", start_date=datetime.date(2025, 1, 1))
    Assignment.objects.create(
        client=without, user=sam, role="sam", start_date=datetime.date(2025, 1, 1), end_date=datetime.date(2026, 1, 1)
    )
    signals = signals_of(mike, partner)
    assert [c.client_id for c in signals.without_successor] == [without.pk]
    assert {c.client_id: c.successor for c in signals.clients}[with_sam.pk] == "Sam Successor"


def test_walled_clients_count_only_for_readers_behind_the_wall(mike, bob, tiers):
    partner = UserFactory()
    ClientFactory(crp=partner, tier=tiers[0])
    ClientFactory(crp=partner, tier=tiers[0], confidential=True)
    assert (signals_of(mike, partner).led, signals_of(bob, partner).led) == (2, 1)


def test_the_signals_cost_one_query_at_one_client_and_at_many(mike, tiers, django_assert_num_queries):
    partner = UserFactory()
    ClientFactory(crp=partner, tier=tiers[0])
    with django_assert_num_queries(1):
        crp_signals(mike, on=ON)
    for _ in range(12):
        ClientFactory(crp=UserFactory(), tier=tiers[1])
    with django_assert_num_queries(1):
        crp_signals(mike, on=ON)
