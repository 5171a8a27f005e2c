"""One set of CRP thresholds: the health portfolio, the firm overview and the PDF pack flag alike."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Assignment, Tier
from health.portfolio import portfolio_signals
from reports.dashboard.overview import firm_overview
from reports.pdf.periods import Quarter
from reports.pdf.readers import gather
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db
QUARTER = Quarter(2026, 3)


@pytest.fixture
def long_serving_crp(db):
    partner = UserFactory(full_name="Lena Longserve")
    client = ClientFactory(crp=partner)
    Assignment.objects.filter(client=client, role="crp").update(
        start_date=timezone.localdate() - datetime.timedelta(days=6 * 365 + 60)
    )
    return partner, client


def flagged_everywhere(mike, partner, client) -> tuple[bool, bool, bool]:
    overview = any(
        f.user_id == partner.pk and any(flag.startswith("Rotation due") for flag in f.flags)
        for f in firm_overview(mike).crp_flags
    )
    pack = gather([client.pk], QUARTER, reader=mike).clients[0].rotation_due
    signals = portfolio_signals(mike)
    health = any(c.client_id == client.pk for p in signals.partners for c in p.rotation_due)
    return overview, pack, health


def test_a_six_year_crp_is_due_a_rotation_review_on_every_page(mike, long_serving_crp):
    assert flagged_everywhere(mike, *long_serving_crp) == (True, True, True)


def test_the_rotation_threshold_is_one_setting_for_all_pages(mike, long_serving_crp, settings):
    settings.CRP_ROTATION_REVIEW_YEARS = 7
    assert flagged_everywhere(mike, *long_serving_crp) == (False, False, False)


def test_overload_is_one_threshold_for_the_overview_and_the_pack(mike, settings):
    growth = Tier.objects.get_or_create(name="Growth", defaults={"rank": 1})[0]
    Tier.objects.filter(pk=growth.pk).update(workload_weight=1)
    busy = UserFactory(full_name="Busy Partner")
    clients = [ClientFactory(crp=busy, tier=growth) for _ in range(9)]

    def overloaded() -> tuple[bool, bool]:
        flags = [f for f in firm_overview(mike).crp_flags if f.user_id == busy.pk]
        overview = any(flag.startswith("Overloaded") for f in flags for flag in f.flags)
        return overview, gather([clients[0].pk], QUARTER, reader=mike).clients[0].overloaded

    assert overloaded() == (True, True)  # nine clients of weight 1, over the default 8
    settings.CRP_OVERLOAD_WEIGHT = 9
    assert overloaded() == (False, False)
