"""Recompute: set-based equals one client at a time, and the as-of date is honoured."""

import datetime
import random
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import ServiceLine, current_financial_year
from health.default_scorecard import DEFAULT_MEASURES
from health.models import HealthScore, Measurement
from health.services.recompute import compute_for, load_scorecard, scores_recompute
from stakeholders.models import Interaction
from tests.factories import ClientFactory, InteractionFactory, UserFactory
from tests.health.factories import random_client_data
from tests.history import recorded_at

pytestmark = pytest.mark.django_db
AS_OF = datetime.date(2026, 6, 30)


def naive_raw_values(client, as_of):
    """The issue's definitions, read one client at a time straight off the related rows."""
    day = datetime.timedelta(days=1)
    interactions = list(client.interactions.all())
    year = [i for i in interactions if as_of - 365 * day < i.date <= as_of]
    half = [i.sentiment for i in interactions if as_of - 180 * day < i.date <= as_of]
    senior = [
        s
        for s in client.stakeholders.all()
        if s.status == "active" and (s.seniority in ("board", "c_suite") or s.buying_role == "decision_maker")
    ]
    covered = [s for s in senior if any(r.strength >= 3 for r in s.relationships.all())]
    last = current_financial_year(as_of) - 1
    fees = list(client.fees.all())
    recent = sum(f.amount for f in fees if f.financial_year == last)
    earlier = sum(f.amount for f in fees if f.financial_year == last - 1)
    active_lines = ServiceLine.objects.filter(active=True).count()
    billed = {f.service_line_id for f in fees if f.financial_year == last and f.amount > 0}
    due = [
        a
        for plan in client.plans.all()
        for a in plan.actions.all()
        if as_of - 90 * day < a.due_date <= as_of and a.status != "dropped"
    ]
    risks = [r for r in client.risks.all() if r.status == "open" and r.likelihood * r.impact >= 15]

    def latest(key):
        rows = sorted(
            (m for m in client.measurements.filter(measure_key=key) if as_of - 365 * day < m.measured_on <= as_of),
            key=lambda m: m.measured_on,
        )
        return float(rows[-1].value) if rows else None

    return {
        "contact_frequency": float(len(year)),
        "senior_coverage": len(covered) / len(senior) if senior else 0.0,
        "sentiment": sum(half) / len(half) if half else None,
        "fee_growth": float((recent - earlier) * 100 / earlier) if earlier else None,
        "service_breadth": len(billed) / active_lines,
        "plan_execution": sum(a.status == "done" for a in due) / len(due) if due else None,
        "client_nps": latest("client_nps"),
        "open_risks": float(len(risks)),
        "payment_days": latest("payment_days"),
        "client_csat": latest("client_csat"),
        "review_rating": next(
            (
                float(r.rating)
                for r in sorted(client.reviews.all(), key=lambda r: (r.held_date or as_of, r.pk), reverse=True)
                if r.rating is not None and r.held_date and as_of - 365 * day < r.held_date <= as_of
            ),
            None,
        ),
        "client_ces": latest("client_ces"),
        "open_incidents": float(
            sum(
                1
                for i in client.incidents.all()
                if i.severity == "critical"
                and i.occurred_on <= as_of
                and (i.resolved_on is None or i.resolved_on > as_of)
            )
        ),
    }


@pytest.fixture
def random_firm(db):
    rng = random.Random(7)
    owner = UserFactory()
    lines = [ServiceLine.objects.create(name=f"Line {i}") for i in range(4)]
    clients = [ClientFactory() for _ in range(25)]
    with recorded_at(AS_OF - datetime.timedelta(days=90)):  # the risks and people were there by then
        for client in clients:
            random_client_data(rng, client, as_of=AS_OF, lines=lines, owner=owner)
    return clients


def test_set_based_recompute_equals_one_client_at_a_time(random_firm, scorecard):
    loaded = load_scorecard()
    ids = [c.pk for c in random_firm]
    together = compute_for(loaded, AS_OF, ids)
    for client_id in ids:
        alone = compute_for(loaded, AS_OF, [client_id])[client_id]
        assert alone == together[client_id]


def test_set_based_raw_values_match_the_definitions(random_firm, scorecard, settings):
    settings.HEALTH_RECOMPUTE_BATCH = 10  # several batches, filtered by id range
    loaded = load_scorecard()
    together = compute_for(loaded, AS_OF, [c.pk for c in random_firm])
    for client in random_firm:
        raws = {c.key: c.raw for c in together[client.pk].components}
        expected = naive_raw_values(client, AS_OF)
        assert raws == pytest.approx(expected), client


def test_recompute_all_writes_one_score_per_client_per_day(random_firm, scorecard):
    scores_recompute(as_of=AS_OF)
    scores_recompute(as_of=AS_OF)
    assert HealthScore.objects.filter(as_of=AS_OF).count() == len(random_firm)


def test_a_later_recompute_the_same_day_replaces_the_score(scorecard):
    client = ClientFactory()
    scores_recompute(as_of=AS_OF, client_ids=[client.pk])
    before = HealthScore.objects.get(client=client, as_of=AS_OF)
    InteractionFactory.create_batch(10, client=client, date=AS_OF, sentiment=2)
    scores_recompute(as_of=AS_OF, client_ids=[client.pk])
    after = HealthScore.objects.get(client=client, as_of=AS_OF)
    assert after.pk == before.pk and after.score > before.score


def test_score_keeps_every_component_with_floor_target_and_contribution(scorecard):
    client = ClientFactory()
    Measurement.objects.create(client=client, measure_key="client_nps", value=Decimal(9), measured_on=AS_OF)
    scores_recompute(as_of=AS_OF, client_ids=[client.pk])
    score = HealthScore.objects.get(client=client)
    nps = next(c for c in score.components if c["key"] == "client_nps")
    assert nps == {
        "key": "client_nps",
        "raw": 9.0,
        "floor": 6.0,
        "target": 9.0,
        "normalised": 100.0,
        "weight": 10.0,
        "contribution": nps["contribution"],
        "missing": False,
    }
    assert len(score.components) == len(DEFAULT_MEASURES) and score.scorecard == scorecard


def test_as_of_date_ignores_later_data(scorecard):
    client = ClientFactory()
    InteractionFactory.create_batch(3, client=client, date=AS_OF - datetime.timedelta(days=10))
    InteractionFactory.create_batch(5, client=client, date=AS_OF + datetime.timedelta(days=10))
    Measurement.objects.create(client=client, measure_key="client_nps", value=4, measured_on=AS_OF)
    Measurement.objects.create(
        client=client,
        measure_key="client_nps",
        value=10,
        measured_on=AS_OF + datetime.timedelta(days=1),
    )
    result = compute_for(load_scorecard(), AS_OF, [client.pk])[client.pk]
    raws = {c.key: c.raw for c in result.components}
    assert raws["contact_frequency"] == 3
    assert raws["client_nps"] == 4


def test_interactions_older_than_a_year_do_not_count(scorecard):
    client = ClientFactory()
    InteractionFactory(client=client, date=AS_OF - datetime.timedelta(days=365))
    InteractionFactory(client=client, date=AS_OF - datetime.timedelta(days=364))
    result = compute_for(load_scorecard(), AS_OF, [client.pk])[client.pk]
    assert {c.key: c.raw for c in result.components}["contact_frequency"] == 1


def test_lost_clients_get_no_score(scorecard):
    lost = ClientFactory(status="lost")
    kept = ClientFactory()
    scores_recompute(as_of=AS_OF)
    assert set(HealthScore.objects.values_list("client_id", flat=True)) == {kept.pk}
    assert lost.pk not in set(HealthScore.objects.values_list("client_id", flat=True))


def test_command_recomputes_one_client_as_of_a_date(scorecard, capsys):
    client, other = ClientFactory(), ClientFactory()
    call_command("recompute_health", "--as-of", "2026-03-31", "--client", str(client.pk))
    assert list(HealthScore.objects.values_list("client_id", "as_of")) == [(client.pk, datetime.date(2026, 3, 31))]
    assert other.pk not in HealthScore.objects.values_list("client_id", flat=True)


def test_command_refuses_a_future_date(scorecard):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="future"):
        call_command(
            "recompute_health",
            "--as-of",
            (timezone.localdate() + datetime.timedelta(days=2)).isoformat(),
        )


def test_recompute_all_runs_a_constant_number_of_queries(scorecard, count_queries):
    for _ in range(3):
        InteractionFactory(client=ClientFactory(), date=AS_OF)
    at_three = count_queries(lambda: scores_recompute(as_of=AS_OF, alert=False))
    for _ in range(20):
        InteractionFactory(client=ClientFactory(), date=AS_OF)
    # One aggregate query per group of computed measures (open incidents and review rating included).
    assert count_queries(lambda: scores_recompute(as_of=AS_OF, alert=False)) == at_three <= 18
    assert Interaction.objects.count() == 23


def test_recomputing_every_client_refreshes_the_score_table_statistics(scorecard):
    from django.db import connection

    for _ in range(12):
        InteractionFactory(client=ClientFactory(), date=AS_OF)
    scores_recompute(as_of=AS_OF, alert=False)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [HealthScore._meta.db_table])
        assert cursor.fetchone()[0] == HealthScore.objects.count() == 12
