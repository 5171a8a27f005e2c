"""Writes through the services: validation, history, handovers and lost-update protection."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from pghistory.models import MiddlewareEvents

from accounts import services
from accounts.models import Assignment, Client
from core.concurrency import StaleVersionError
from tests.factories import ServiceLineFactory, TierFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_client_create_makes_the_first_crp_and_sam(carol, alice, bob):
    client = services.client_create(actor=carol, name="  Beacon Water plc ", tier=TierFactory(), crp=alice, sam=bob)
    assert client.name == "Beacon Water plc"
    roles = {a.role: a.user for a in client.assignments.all()}
    assert roles == {"crp": alice, "sam": bob}


def test_client_create_refuses_a_duplicate_name_with_a_field_error(carol, alice, normal_client):
    with pytest.raises(ValidationError) as error:
        services.client_create(actor=carol, name=normal_client.name.lower(), tier=normal_client.tier, crp=alice)
    assert "name" in error.value.message_dict
    assert Client.objects.count() == 1


def test_client_create_refuses_an_inactive_crp(carol):
    retired = UserFactory(is_active=False)
    with pytest.raises(ValidationError) as error:
        services.client_create(actor=carol, name="New plc", tier=TierFactory(), crp=retired)
    assert "crp" in error.value.message_dict
    assert not Client.objects.filter(name="New plc").exists()


def test_a_stale_client_save_is_refused_and_names_what_changed(alice, mike, normal_client):
    loaded_version = normal_client.version
    services.client_update(
        actor=mike, client=Client.objects.get(pk=normal_client.pk), expected_version=loaded_version, notes="Mike's note"
    )
    mine = Client.objects.get(pk=normal_client.pk)
    mine.version = loaded_version
    with pytest.raises(StaleVersionError) as stale:
        services.client_update(actor=alice, client=mine, expected_version=loaded_version, notes="Alice's note")
    assert stale.value.changed_fields["notes"] == ("Mike's note", "Alice's note")
    assert Client.objects.get(pk=normal_client.pk).notes == "Mike's note"


def test_history_records_who_changed_which_field(alice, normal_client):
    services.client_update(
        actor=alice, client=normal_client, expected_version=normal_client.version, sector="Utilities"
    )
    event = MiddlewareEvents.objects.tracks(normal_client).get(pgh_label="update")
    assert event.pgh_diff["sector"] == ["Energy", "Utilities"]
    assert event.user == alice


def test_fee_history_names_the_user(alice, normal_client):
    services.fee_record_set(
        actor=alice,
        client=normal_client,
        service_line=ServiceLineFactory(),
        financial_year=2025,
        amount=Decimal("1000"),
    )
    event = MiddlewareEvents.objects.references(normal_client).filter(pgh_model="accounts.FeeRecordEvent").get()
    assert event.user == alice


def test_fee_record_set_replaces_the_figure_for_the_same_year_and_line(alice, normal_client):
    line = ServiceLineFactory()
    services.fee_record_set(
        actor=alice, client=normal_client, service_line=line, financial_year=2025, amount=Decimal("1000")
    )
    services.fee_record_set(
        actor=alice, client=normal_client, service_line=line, financial_year=2025, amount=Decimal("2500")
    )
    assert [f.amount for f in normal_client.fees.all()] == [Decimal("2500.00")]


def test_negative_fee_is_refused(alice, normal_client):
    with pytest.raises(ValidationError) as error:
        services.fee_record_set(
            actor=alice,
            client=normal_client,
            service_line=ServiceLineFactory(),
            financial_year=2025,
            amount=Decimal("-5"),
        )
    assert "amount" in error.value.message_dict
    assert not normal_client.fees.exists()


def test_ending_the_crp_of_an_active_client_is_refused(mike, normal_client):
    crp = normal_client.assignments.get(role="crp")
    with pytest.raises(ValidationError):
        services.assignment_end(actor=mike, assignment=crp)
    crp.refresh_from_db()
    assert crp.end_date is None


def test_a_second_crp_through_assignment_start_is_refused(mike, bob, normal_client):
    with pytest.raises(ValidationError) as error:
        services.assignment_start(actor=mike, client=normal_client, user=bob, role="crp")
    assert "role" in error.value.message_dict


def test_handover_ends_the_old_crp_and_keeps_history(alice, bob, mike, normal_client):
    services.assignment_start(
        actor=alice, client=normal_client, user=bob, role="sam", start_date=datetime.date(2024, 1, 1)
    )
    services.crp_handover(actor=mike, client=normal_client, new_crp=bob, on_date=datetime.date(2026, 3, 1))
    current = Assignment.objects.filter(client=normal_client, end_date__isnull=True)
    assert [(a.user, a.role) for a in current] == [(bob, "crp")]
    old = Assignment.objects.get(client=normal_client, user=alice, role="crp")
    assert old.end_date == datetime.date(2026, 3, 1)
    assert Assignment.objects.filter(client=normal_client).count() == 3  # nothing deleted


def test_handover_to_the_current_crp_is_refused(alice, mike, normal_client):
    with pytest.raises(ValidationError):
        services.crp_handover(actor=mike, client=normal_client, new_crp=alice)
