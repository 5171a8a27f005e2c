"""The database itself keeps a client's team consistent, whatever the caller."""

import datetime
import threading

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.models import Assignment, Client, FeeRecord
from tests.dates import today
from tests.factories import ClientFactory, FeeRecordFactory, ServiceLineFactory, TierFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_second_current_crp_is_refused_by_the_database(normal_client, bob):
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(client=normal_client, user=bob, role="crp", start_date=datetime.date(2025, 1, 1))


def test_overlapping_crp_periods_are_refused_even_when_ended(normal_client, bob):
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            client=normal_client,
            user=bob,
            role="crp",
            start_date=datetime.date(2022, 6, 1),
            end_date=datetime.date(2023, 1, 1),
        )


def test_an_assignment_cannot_end_before_it_starts(normal_client, bob):
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            client=normal_client,
            user=bob,
            role="team",
            start_date=datetime.date(2024, 1, 1),
            end_date=datetime.date(2023, 1, 1),
        )


def test_an_active_client_cannot_lose_its_crp_at_commit(normal_client):
    crp = normal_client.assignments.get(role="crp")
    crp.end_date = today()
    with pytest.raises(IntegrityError), transaction.atomic():
        crp.save()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_an_active_client_cannot_be_created_without_a_crp(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Client.objects.create(name="No Lead Ltd", tier=TierFactory())
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_negative_fees_and_duplicate_fee_rows_are_refused(normal_client):
    line = ServiceLineFactory()
    FeeRecordFactory(client=normal_client, service_line=line, financial_year=2025)
    with pytest.raises(IntegrityError), transaction.atomic():
        FeeRecord.objects.create(client=normal_client, service_line=line, financial_year=2025, amount=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        FeeRecord.objects.create(client=normal_client, service_line=line, financial_year=2024, amount=-1)


def test_client_names_are_unique_ignoring_case(normal_client):
    with pytest.raises(IntegrityError), transaction.atomic():
        ClientFactory(name=normal_client.name.upper())


@pytest.mark.django_db(transaction=True)
def test_concurrent_crp_inserts_leave_exactly_one_current_crp():
    """Two sessions race to add a current CRP to the same (CRP-less, dormant) client: one wins."""
    client = ClientFactory(status="dormant")
    Assignment.objects.filter(client=client).update(end_date=datetime.date(2023, 1, 1))
    contenders = [UserFactory(), UserFactory()]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def insert(user):
        from django.db import connections

        try:
            barrier.wait()
            with transaction.atomic():
                Assignment.objects.create(client=client, user=user, role="crp", start_date=datetime.date(2024, 1, 1))
            outcomes.append("saved")
        except IntegrityError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=insert, args=(user,)) for user in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "saved"]
    assert Assignment.objects.filter(client=client, role="crp", end_date__isnull=True).count() == 1
