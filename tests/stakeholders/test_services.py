import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from stakeholders import services
from stakeholders.models import Interaction, Relationship, Stakeholder
from tests.factories import (
    ClientFactory,
    InteractionFactory,
    RelationshipFactory,
    StakeholderFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_reporting_line_that_would_loop_is_refused(alice, normal_client, ceo):
    cfo = services.stakeholder_create(actor=alice, client=normal_client, name="Frank Finance", reports_to=ceo)
    analyst = services.stakeholder_create(actor=alice, client=normal_client, name="Ana Lyst", reports_to=cfo)
    with pytest.raises(ValidationError) as error:
        services.stakeholder_update(actor=alice, stakeholder=ceo, expected_version=ceo.version, reports_to=analyst)
    assert "loop" in error.value.message_dict["reports_to"][0]
    ceo.refresh_from_db()
    assert ceo.reports_to is None


def test_manager_from_another_client_is_refused(alice, normal_client, ceo):
    other = StakeholderFactory(client=ClientFactory())
    with pytest.raises(ValidationError) as error:
        services.stakeholder_create(actor=alice, client=normal_client, name="X", reports_to=other)
    assert "same client" in error.value.message_dict["reports_to"][0]
    assert not Stakeholder.objects.filter(name="X").exists()


@pytest.mark.parametrize(("field", "value"), [("attitude", 3), ("attitude", -3), ("influence", 0), ("influence", 6)])
def test_out_of_range_scores_are_refused(alice, normal_client, field, value):
    with pytest.raises(ValidationError) as error:
        services.stakeholder_create(actor=alice, client=normal_client, name="Y", **{field: value})
    assert field in error.value.message_dict
    assert not Stakeholder.objects.filter(name="Y").exists()


def test_second_primary_owner_is_refused(alice, bob, normal_client, ceo):
    services.relationship_set(actor=alice, stakeholder=ceo, user=alice, strength=4, is_primary=True)
    with pytest.raises(ValidationError) as error:
        services.relationship_set(actor=alice, stakeholder=ceo, user=bob, strength=2, is_primary=True)
    assert "primary owner" in error.value.message_dict["is_primary"][0]
    assert not Relationship.objects.filter(user=bob).exists()


def test_relationship_strength_out_of_range_is_refused(alice, ceo):
    with pytest.raises(ValidationError) as error:
        services.relationship_set(actor=alice, stakeholder=ceo, user=alice, strength=6)
    assert "strength" in error.value.message_dict


def test_walled_off_person_cannot_hold_a_relationship_behind_the_wall(alice, bob, secret_person):
    with pytest.raises(ValidationError) as error:
        services.relationship_set(actor=alice, stakeholder=secret_person, user=bob, strength=3)
    assert "walled off" in error.value.message_dict["user"][0]


def test_interaction_in_the_future_is_refused(alice, normal_client, ceo):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.interaction_log(
            actor=alice,
            client=normal_client,
            date=tomorrow,
            kind="meeting",
            summary="Lunch",
            firm_attendees=[alice],
            stakeholders=[ceo],
        )
    assert "future" in error.value.message_dict["date"][0]
    assert not Interaction.objects.exists()


def test_interaction_without_firm_attendee_is_refused(alice, normal_client, ceo):
    with pytest.raises(ValidationError) as error:
        services.interaction_log(
            actor=alice,
            client=normal_client,
            date=timezone.localdate(),
            kind="call",
            summary="Call",
            firm_attendees=[],
            stakeholders=[ceo],
        )
    assert "firm_attendees" in error.value.message_dict
    assert not Interaction.objects.exists()


def test_interaction_sentiment_out_of_range_is_refused(alice, normal_client):
    with pytest.raises(ValidationError) as error:
        services.interaction_log(
            actor=alice,
            client=normal_client,
            date=timezone.localdate(),
            kind="call",
            summary="Call",
            firm_attendees=[alice],
            sentiment=5,
        )
    assert "sentiment" in error.value.message_dict


def test_merge_keeps_every_interaction_and_relationship(alice, normal_client, ceo):
    dup = StakeholderFactory(client=normal_client, name="C. Chief", email="clara@harbour.example")
    report = StakeholderFactory(client=normal_client, reports_to=dup)
    partner = UserFactory()
    RelationshipFactory(stakeholder=ceo, user=alice, strength=2, is_primary=True)
    RelationshipFactory(stakeholder=dup, user=alice, strength=4)
    RelationshipFactory(stakeholder=dup, user=partner, strength=3, is_primary=True)
    shared = InteractionFactory(client=normal_client, firm_attendees=[alice])
    shared.stakeholders.set([ceo, dup])
    only_dup = InteractionFactory(client=normal_client, firm_attendees=[alice])
    only_dup.stakeholders.set([dup])

    kept = services.stakeholder_merge(actor=alice, keep=ceo, duplicate=dup)

    assert not Stakeholder.objects.filter(pk=dup.pk).exists()
    assert set(kept.interactions.all()) == {shared, only_dup}
    rels = {rel.user_id: rel for rel in kept.relationships.all()}
    assert set(rels) == {alice.pk, partner.pk}
    assert rels[alice.pk].strength == 4 and rels[alice.pk].is_primary
    assert not rels[partner.pk].is_primary
    assert kept.email == "clara@harbour.example"
    report.refresh_from_db()
    assert report.reports_to == kept


def test_merge_of_stakeholders_of_different_clients_is_refused(alice, ceo):
    other = StakeholderFactory(client=ClientFactory())
    with pytest.raises(ValidationError):
        services.stakeholder_merge(actor=alice, keep=ceo, duplicate=other)
