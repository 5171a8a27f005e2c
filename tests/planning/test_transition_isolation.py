"""While a handover commits, every reader sees exactly one current CRP: old, then new."""

import datetime
import threading

import pytest
from django.db import connections, transaction

from accounts.models import Assignment
from planning import services
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def current_crps(client_id: int) -> list[str]:
    return list(
        Assignment.objects.filter(client_id=client_id, role="crp", end_date__isnull=True).values_list(
            "user__email", flat=True
        )
    )


def read_from_another_connection(client_id: int) -> list[str]:
    seen: list[str] = []

    def read() -> None:
        try:
            seen.extend(current_crps(client_id))
        finally:
            connections.close_all()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join(timeout=20)
    return seen


def test_other_sessions_see_one_crp_before_during_and_after_the_handover():
    old, new = UserFactory(email="old@firm.example"), UserFactory(email="new@firm.example")
    with transaction.atomic():
        client = ClientFactory(crp=old)
    managing_partner = UserFactory(email="mp@firm.example", role="managing_partner")
    transition = services.transition_create(
        actor=old,
        client=client,
        incoming=new,
        reason="succession",
        overlap_start=datetime.date(2026, 1, 1),
        overlap_end=datetime.date(2026, 2, 1),
        consent_required=False,
    )
    assert read_from_another_connection(client.pk) == ["old@firm.example"]
    with transaction.atomic():
        services.transition_complete(
            actor=managing_partner, transition=transition, expected_version=1, on_date=datetime.date(2026, 2, 1)
        )
        assert current_crps(client.pk) == ["new@firm.example"]
        assert read_from_another_connection(client.pk) == ["old@firm.example"]
    assert read_from_another_connection(client.pk) == ["new@firm.example"]
