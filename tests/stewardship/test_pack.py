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
