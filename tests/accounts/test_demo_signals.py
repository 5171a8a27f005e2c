"""The seeded demo firm reads like a real one: signals pick out a few clients, not most of them."""

import datetime
import statistics

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Max, Min, Sum
from django.utils import timezone

from accounts.demo import SECTOR_NAMES
from accounts.models import Assignment, Client, FeeRecord, User, current_financial_year
from health.models import HealthScore
from health.portfolio import portfolio_signals
from planning.models import AccountPlan, Objective, Opportunity
from reports.dashboard.selectors import attention_q, portfolio_base
from stakeholders.models import Interaction, Stakeholder

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_firm(django_db_setup, django_db_blocker):
    """The default demo firm (150 clients), seeded once for this module and rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--quiet")
        yield
        transaction.set_rollback(True)


def share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def test_demo_bands_are_mostly_green_some_amber_few_red(demo_firm):
    today = timezone.localdate()
    bands = dict(
        HealthScore.objects.filter(as_of=today, client__status="active").values_list("band").annotate(n=Count("pk"))
    )
    scored = sum(bands.values())
    assert 0.45 <= share(bands.get("green", 0), scored) <= 0.65, bands
    assert 0.25 <= share(bands.get("amber", 0), scored) <= 0.45, bands
    assert 0.04 <= share(bands.get("red", 0), scored) <= 0.15, bands


def test_needs_attention_picks_out_a_few_clients(demo_firm):
    mp = User.objects.get(email="mp@keyline.example")
    clients = portfolio_base(mp)
    assert 0.08 <= share(clients.filter(attention_q("any")).count(), clients.count()) <= 0.22
    for reason in ("red", "falling", "no_contact", "overdue_actions", "overdue_review"):
        assert share(clients.filter(attention_q(reason)).count(), clients.count()) <= 0.15, reason


def test_crps_lead_a_handful_of_clients_and_few_are_due_for_rotation(demo_firm):
    led = (
        Assignment.objects.filter(role="crp", end_date__isnull=True)
        .values("user")
        .annotate(n=Count("pk"))
        .aggregate(most=Max("n"))["most"]
    )
    assert led <= 8
    signals = portfolio_signals(User.objects.get(email="mp@keyline.example"))
    partners_due = [p for p in signals.partners if p.rotation_due]
    assert share(len(partners_due), len(signals.partners)) < 0.25
    tenures = [c.tenure_years for p in signals.partners for c in p.clients]
    assert share(sum(1 for t in tenures if t >= signals.tenure_years), len(tenures)) < 0.25
    assert min(tenures) < 2 and max(tenures) > 8  # spread over the years, not bunched at the review
    assert share(len(signals.no_successor), len(tenures)) < 0.15
    assert share(sum(1 for p in signals.partners if p.too_many_growth), len(signals.partners)) < 0.15


def test_demo_names_fit_and_nobody_at_a_client_shares_a_partners_name(demo_firm):
    for name, sector in Client.objects.values_list("name", "sector"):
        words, _ = SECTOR_NAMES[sector]
        assert any(word in name for word in words), (name, sector)
    firm_names = set(User.objects.values_list("full_name", flat=True))
    assert not firm_names & set(Stakeholder.objects.values_list("name", flat=True))


def test_demo_opportunities_fit_the_clients_fees_and_dates(demo_firm):
    today = timezone.localdate()
    assert not Opportunity.objects.filter(stage__in=["won", "lost"], expected_close__gt=today).exists()
    assert not Opportunity.objects.exclude(stage__in=["won", "lost"]).filter(expected_close__lt=today).exists()
    last = current_financial_year() - 1
    fees = dict(FeeRecord.objects.filter(financial_year=last).values_list("client").annotate(total=Sum("amount")))
    for client_id, size in Opportunity.objects.values_list("client_id", "estimated_fees"):
        assert size <= max(10_000, fees[client_id] * 4 / 10)


def test_demo_fee_targets_start_from_the_clients_fees(demo_firm):
    last = current_financial_year() - 1
    fees = dict(FeeRecord.objects.filter(financial_year=last).values_list("client").annotate(total=Sum("amount")))
    objectives = Objective.objects.filter(kpi="Fee income (£k)").select_related("plan")
    assert objectives.exists()
    for objective in objectives:
        assert objective.baseline_value == round(fees[objective.plan.client_id] / 1000)
        assert objective.target_value > objective.baseline_value


def test_demo_has_two_years_of_dated_history(demo_firm):
    today = timezone.localdate()
    two_years_ago = today - datetime.timedelta(days=730)
    assert HealthScore.objects.aggregate(first=Min("as_of"))["first"] <= two_years_ago
    oldest = Interaction.objects.values("client").annotate(first=Min("date")).values_list("first", flat=True)
    assert statistics.median_low(oldest) <= two_years_ago
    assert FeeRecord.objects.values("financial_year").distinct().count() >= 4
    assert AccountPlan.objects.filter(year=today.year - 1).exists()
    for quarter_end in (today - datetime.timedelta(days=days) for days in range(0, 730, 91)):
        quarter_start = quarter_end - datetime.timedelta(days=91)
        assert Interaction.objects.filter(date__range=(quarter_start, quarter_end)).exists()
        assert HealthScore.objects.filter(as_of__range=(quarter_start, quarter_end)).exists()


def test_last_quarters_pack_finds_the_demo_firms_map_pipeline_and_risks_in_the_history(demo_firm):
    from planning.selectors.as_of import open_opportunities_as_of, open_risks_as_of
    from reports.pdf.periods import Quarter
    from stakeholders.selectors.as_of import active_stakeholders_as_of

    quarter_end = Quarter.containing(timezone.localdate()).previous.end
    ids = list(Client.objects.filter(status="active").values_list("pk", flat=True))
    maps = active_stakeholders_as_of(ids, quarter_end)
    opportunities = open_opportunities_as_of(ids, quarter_end)
    risks = open_risks_as_of(ids, quarter_end)
    assert not maps.history_starts  # the map was drawn when the story starts
    assert all(
        day <= timezone.localdate() for day in [*opportunities.history_starts.values(), *risks.history_starts.values()]
    )
    assert share(sum(1 for pk in ids if maps.of(pk)), len(ids)) > 0.95
    assert share(sum(1 for pk in ids if opportunities.of(pk)), len(ids)) > 0.5
    assert sum(len(risks.of(pk)) for pk in ids) > len(ids) / 4
