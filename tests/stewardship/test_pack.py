"""The quarterly pack's CRP stewardship section: for managing partners' packs only."""

from __future__ import annotations

import datetime

import pytest

from accounts.models import Assignment
from stewardship import services
from stewardship.models import CrpSignal
from tests.factories import UserFactory
from tests.reports_pdf.conftest import pack_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(mike, long_client, today):
    """Coaching recorded for the veteran's rotation signal, and a successor named."""
    services.signals_sync(reader=mike, on=today)
    signal = CrpSignal.objects.get(client=long_client, kind="rotation_due")
    services.signal_decide(
        actor=mike,
        signal=signal,
        decision="coaching",
        reason="Shadow the SAM at two QBRs",
        review_on=today + datetime.timedelta(days=90),
    )
    successor = UserFactory(full_name="Sunil Successor")
    Assignment.objects.create(client=long_client, user=successor, role="team")
    services.succession_set(actor=mike, client=long_client, successor=successor, readiness="within_2_years")
    return signal


def current_pack(user, today):
    from reports.pdf.periods import Quarter as PackQuarter

    return pack_record(user, quarter=PackQuarter.containing(today))


def text_of(build_report_result) -> str:
    from tests.reports_pdf.conftest import pdf_pages

    return " ".join(pdf_pages(build_report_result.pdf.content))


def test_the_pack_shows_this_quarters_decisions_and_succession(mike, decided, today):
    from reports.pdf.build import build_report

    text = " ".join(text_of(build_report(current_pack(mike, today))).split())
    assert "1.5 CRP stewardship" in text
    assert "Coaching or a development plan" in text and "Shadow the SAM at two QBRs" in text
    assert "Sunil Successor" in text and "Ready within 2 years" in text


def test_a_bd_pack_has_no_stewardship_section(carol, decided, today):
    from reports.pdf.build import build_report

    text = " ".join(text_of(build_report(current_pack(carol, today))).split())
    assert "CRP stewardship" not in text and "Shadow the SAM" not in text


def test_the_pack_shows_a_transition_decision_its_record_and_each_groups_bench(mike, veteran, long_client, today):
    from accounts.models import PracticeGroup
    from reports.pdf.build import build_report

    veteran.practice_group = PracticeGroup.objects.create(name="Natural Resources")
    veteran.save(update_fields=["practice_group"])
    sam = UserFactory(full_name="Sam Deputy")
    Assignment.objects.create(client=long_client, user=sam, role="sam")
    services.signals_sync(reader=mike, on=today)
    signal = CrpSignal.objects.get(client=long_client, kind="rotation_due")
    services.signal_decide(
        actor=mike, signal=signal, decision="transition", reason="Rotate", review_on=today + datetime.timedelta(90)
    )
    text = " ".join(text_of(build_report(current_pack(mike, today))).split())
    # The decision names the transition it opened (narrow cells break words in the PDF's text).
    assert "TransitiontoanewCRP:transitiontoSamDeputy(planned)" in "".join(text.split())
    assert "Practice group" in text and "Natural Resources" in text


def test_the_pack_judges_last_quarters_decisions(mike, long_client, today):
    from decimal import Decimal

    from reports.pdf.build import build_report
    from reports.pdf.periods import Quarter
    from stewardship.models import SignalDecision
    from tests.factories import HealthScoreFactory

    HealthScoreFactory(client=long_client, as_of=today, score=Decimal("40.00"), band="red")
    services.signals_sync(reader=mike, on=today)
    SignalDecision.objects.create(
        signal=CrpSignal.objects.get(client=long_client, kind="rotation_due"),
        decision="lighter_model",
        reason="Quarterly reviews only",
        review_on=today,
        decided_on=Quarter.containing(today).start - datetime.timedelta(days=10),
        decided_by=mike,
        score_then=Decimal("55.00"),
    )
    text = " ".join(text_of(build_report(current_pack(mike, today))).split())
    assert "Outcomes of last quarter's decisions" in text
    assert "A lighter engagement model" in text and "55.0 → 40.0" in text and "Not recovered" in text
