"""The decision log of CRP signals: recorded, refused when incomplete, escalated once, judged later."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from accounts.models import Notification
from health.portfolio import portfolio_signals
from stewardship import services
from stewardship.models import CrpSignal, SignalDecision
from stewardship.selectors.outcomes import decision_outcome
from tests.factories import HealthScoreFactory, InteractionFactory

pytestmark = pytest.mark.django_db


def test_a_long_tenure_is_recorded_as_an_open_signal_once(mike, long_client, today):
    services.signals_sync(reader=mike, on=today)
    services.signals_sync(reader=mike, on=today)
    kinds = set(CrpSignal.objects.filter(client=long_client).values_list("kind", flat=True))
    assert kinds == {"rotation_due", "no_successor"}
    assert CrpSignal.objects.filter(client=long_client, kind="rotation_due").count() == 1


def test_a_signal_that_stops_firing_is_cleared(mike, long_client, veteran, today):
    from accounts.models import Assignment

    services.signals_sync(reader=mike, on=today)
    Assignment.objects.create(client=long_client, user=mike, role="sam")
    services.signals_sync(reader=mike, on=today)
    cleared = CrpSignal.objects.get(client=long_client, kind="no_successor")
    assert cleared.cleared_on == today


def test_falling_activity_is_the_disengagement_signal(mike, veteran, long_client, today):
    for days in (100, 110, 120, 130):  # four touchpoints in the 90 days before the last 90, none since
        InteractionFactory(client=long_client, date=today - datetime.timedelta(days=days), firm_attendees=[veteran])
    services.signals_sync(reader=mike, on=today)
    signal = CrpSignal.objects.get(kind="falling_activity", partner=veteran)
    assert "4 → 0" in signal.detail


def test_recording_coaching_keeps_the_reason_review_date_and_figures(mike, veteran, long_client, today):
    HealthScoreFactory(client=long_client, as_of=today, score=Decimal("55.00"), band="amber")
    services.signals_sync(reader=mike, on=today)
    signal = CrpSignal.objects.get(client=long_client, kind="rotation_due")
    decision = services.signal_decide(
        actor=mike,
        signal=signal,
        decision="coaching",
        reason="Pair with the SAM for the next two QBRs",
        review_on=today + datetime.timedelta(days=90),
    )
    assert decision.get_decision_display() == "Coaching or a development plan"
    assert decision.score_then == Decimal("55.00")


def test_an_incomplete_decision_is_refused_field_by_field_and_saves_nothing(mike, long_client, today, login):
    services.signals_sync(reader=mike, on=today)
    signal = CrpSignal.objects.get(client=long_client, kind="rotation_due")
    with pytest.raises(ValidationError) as error:
        services.signal_decide(actor=mike, signal=signal, decision="transition", reason=" ", review_on=today)
    assert set(error.value.message_dict) == {"reason", "review_on"}
    response = login(mike).post(
        f"/stewardship/signals/{signal.pk}/decide/", {"decision": "nonsense", "reason": "x"}, follow=True
    )
    assert "Select a valid choice" in response.content.decode()
    assert not SignalDecision.objects.exists()


def test_bd_cannot_record_a_decision(carol, mike, long_client, today, login):
    services.signals_sync(reader=mike, on=today)
    signal = CrpSignal.objects.filter(client=long_client).first()
    response = login(carol).post(
        f"/stewardship/signals/{signal.pk}/decide/",
        {"decision": "coaching", "reason": "x", "review_on": (today + datetime.timedelta(days=9)).isoformat()},
    )
    assert response.status_code == 403
    assert not SignalDecision.objects.exists()


@override_settings(CRP_SIGNAL_DECISION_DAYS=30)
def test_an_undecided_signal_past_the_limit_is_escalated_once(mike, long_client, today):
    services.signals_sync(reader=mike, on=today - datetime.timedelta(days=31))
    assert services.signals_escalate(on=today) == 2  # rotation due and no successor
    assert services.signals_escalate(on=today) == 0
    titles = sorted(Notification.objects.filter(user=mike).values_list("title", flat=True))
    assert titles == [
        "Undecided CRP signal: No successor (Longstanding Mining plc)",
        "Undecided CRP signal: Rotation review due (long tenure) (Longstanding Mining plc)",
    ]


@override_settings(CRP_SIGNAL_DECISION_DAYS=30)
def test_a_decided_signal_is_not_escalated(mike, long_client, today):
    services.signals_sync(reader=mike, on=today - datetime.timedelta(days=31))
    for signal in CrpSignal.objects.all():
        SignalDecision.objects.create(
            signal=signal, decision="coaching", reason="r", review_on=today, decided_on=today, decided_by=mike
        )
    assert services.signals_escalate(on=today) == 0


def test_the_outcome_a_quarter_later_says_whether_the_score_recovered(mike, long_client, today):
    HealthScoreFactory(client=long_client, as_of=today, score=Decimal("62.00"), band="amber")
    services.signals_sync(reader=mike, on=today)
    signal = CrpSignal.objects.get(client=long_client, kind="rotation_due")
    decision = SignalDecision.objects.create(
        signal=signal,
        decision="specialist_support",
        reason="r",
        review_on=today,
        decided_on=today - datetime.timedelta(days=100),
        decided_by=mike,
        score_then=Decimal("50.00"),
    )
    outcome = decision_outcome(decision, portfolio_signals(mike, today), today)
    assert (outcome.score_then, outcome.score_now, outcome.words) == (50.0, 62.0, "Recovered")


def test_the_overview_shows_open_signals_and_the_log(mike, long_client, login, today):
    response = login(mike).get("/stewardship/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Rotation review due (long tenure)" in body and "Longstanding Mining plc" in body


def test_the_overview_is_for_managing_partners_and_admins(alice, carol, login):
    for person in (alice, carol):
        assert login(person).get("/stewardship/").status_code == 403


def test_the_firm_overview_counts_open_signals_and_decisions_for_managing_partners(
    mike, carol, long_client, login, today
):
    services.signals_sync(reader=mike, on=today)
    body = login(mike).get("/overview/").content.decode()
    assert "2 open CRP signals, 2 undecided" in body
    assert 'data-testid="stewardship-summary"' not in login(carol).get("/overview/").content.decode()


@pytest.mark.parametrize("url", ["/stewardship/", "/stewardship/rotation/", "/stewardship/succession/"])
def test_the_firm_pages_run_the_same_queries_for_few_clients_or_many(url, mike, veteran, growth, login, count_queries):
    from accounts.models import Assignment
    from tests.factories import ClientFactory, UserFactory

    def long_led(n: int) -> None:
        for i in range(n):
            crp = UserFactory()
            client = ClientFactory(name=f"{url} {n} {i}", crp=crp, tier=growth)
            Assignment.objects.filter(client=client, role="crp").update(start_date=datetime.date(2015, 1, 1))

    http = login(mike)
    long_led(1)
    http.get(url)
    http.get(url)
    one = count_queries(lambda: http.get(url))
    long_led(6)
    http.get(url)  # the first visit records the new signals
    assert count_queries(lambda: http.get(url)) == one


def _rotation_signal(mike, client, today):
    services.signals_sync(reader=mike, on=today)
    return CrpSignal.objects.get(client=client, kind="rotation_due")


def test_deciding_transition_opens_the_transition_record_to_the_sam(mike, alice, long_client, today):
    from accounts.models import Assignment
    from planning.models import Transition
    from stewardship.selectors.rotation import handover_window, rotation_calendar

    Assignment.objects.create(client=long_client, user=alice, role="sam")
    signal = _rotation_signal(mike, long_client, today)
    decision = services.signal_decide(
        actor=mike, signal=signal, decision="transition", reason="Ten years", review_on=today + datetime.timedelta(90)
    )
    transition = Transition.objects.get(client=long_client)
    assert decision.transition == transition
    assert (transition.incoming, transition.status) == (alice, "planned")
    proposed = next(r for r in rotation_calendar(mike) if r.client_id == long_client.pk)
    assert (transition.overlap_start, transition.overlap_end) == handover_window(proposed.proposed)
    assert proposed.state == "transition"


def test_deciding_transition_links_a_transition_already_under_way(mike, alice, long_client, today):
    from planning.models import Transition
    from planning.services.transitions import transition_create

    existing = transition_create(
        actor=mike,
        client=long_client,
        incoming=alice,
        reason="long_tenure",
        overlap_start=today,
        overlap_end=today + datetime.timedelta(60),
    )
    signal = _rotation_signal(mike, long_client, today)
    decision = services.signal_decide(
        actor=mike, signal=signal, decision="transition", reason="Already", review_on=today + datetime.timedelta(9)
    )
    assert decision.transition == existing and Transition.objects.count() == 1


def test_deciding_transition_with_no_one_to_hand_to_is_refused_and_saves_nothing(mike, long_client, today, login):
    from planning.models import Transition

    signal = _rotation_signal(mike, long_client, today)  # no SAM, no named successor
    with pytest.raises(ValidationError) as error:
        services.signal_decide(
            actor=mike, signal=signal, decision="transition", reason="r", review_on=today + datetime.timedelta(9)
        )
    assert "successor" in error.value.message_dict["decision"][0]
    assert not SignalDecision.objects.exists() and not Transition.objects.exists()


def test_the_overview_links_the_transition_a_decision_opened(mike, alice, long_client, today, login):
    from accounts.models import Assignment

    Assignment.objects.create(client=long_client, user=alice, role="sam")
    signal = _rotation_signal(mike, long_client, today)
    decision = services.signal_decide(
        actor=mike, signal=signal, decision="transition", reason="Ten years", review_on=today + datetime.timedelta(90)
    )
    body = login(mike).get("/stewardship/").content.decode()
    assert f'data-testid="decision-transition-{decision.pk}"' in body
    assert f"Transition to {alice.full_name}" in body


def test_the_overview_shows_a_decisions_outcome_a_quarter_on(mike, long_client, today, login):
    HealthScoreFactory(client=long_client, as_of=today, score=Decimal("62.00"), band="amber")
    signal = _rotation_signal(mike, long_client, today)
    SignalDecision.objects.create(
        signal=signal,
        decision="specialist_support",
        reason="Pair with a sector specialist",
        review_on=today,
        decided_on=today - datetime.timedelta(days=100),
        decided_by=mike,
        score_then=Decimal("50.00"),
    )
    log = login(mike).get("/stewardship/").content.decode()
    assert "Pair with a sector specialist" in log and "Recovered" in log and "50.0 → 62.0" in log


def test_the_overview_reads_the_days_signals_once_and_pages_them(
    mike, long_client, login, today, django_capture_on_commit_callbacks
):
    from tests.factories import UserFactory

    with django_capture_on_commit_callbacks(execute=True):
        services.signals_sync(reader=mike, on=today)  # the daily round
    CrpSignal.objects.bulk_create(
        CrpSignal(kind="overloaded", partner=UserFactory(), detail="Over capacity", first_seen=today, last_seen=today)
        for _ in range(60)
    )
    http = login(mike)
    first = http.get("/stewardship/").content.decode()
    # The round already ran today: the page shows what it recorded rather than recompute it.
    assert CrpSignal.objects.filter(cleared_on__isnull=True).count() == 62
    assert '<strong data-testid="open-signals">62</strong>' in first
    assert len(re.findall(r'data-testid="signal-\d', first)) == 50 and "Page 1 of 2" in first
    second = http.get("/stewardship/", {"page": 2}).content.decode()
    assert len(re.findall(r'data-testid="signal-\d', second)) == 12


def test_a_decision_not_yet_due_shows_no_figures_and_the_page_reads_none(mike, long_client, today, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    HealthScoreFactory(client=long_client, as_of=today, score=Decimal("62.00"), band="amber")
    signal = _rotation_signal(mike, long_client, today)
    SignalDecision.objects.create(
        signal=signal,
        decision="specialist_support",
        reason="Give it a quarter",
        review_on=today + datetime.timedelta(days=30),
        decided_on=today - datetime.timedelta(days=10),
        decided_by=mike,
        score_then=Decimal("50.00"),
    )
    http = login(mike)
    http.get("/stewardship/")
    with CaptureQueriesContext(connection) as read:
        log = http.get("/stewardship/").content.decode()
    assert "Give it a quarter" in log and "Too early to tell" in log and "50.0 → 62.0" not in log
    assert not [q for q in read.captured_queries if "health_healthscore" in q["sql"]]
