"""Any change to a record bumps its version, its many-to-many links (linked people) included: two
people who both change only an action's stakeholders or a review's attendees cannot both win."""

import pytest

from accounts import services as account_services
from core.concurrency import StaleVersionError
from planning import services
from planning.models import Action, ClientReview
from tests.factories import (
    AccountPlanFactory,
    ActionFactory,
    ClientReviewFactory,
    ServiceLineFactory,
    StakeholderFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(normal_client):
    return StakeholderFactory(client=normal_client), StakeholderFactory(client=normal_client)


@pytest.fixture
def action(normal_client, alice):
    return ActionFactory(plan=AccountPlanFactory(client=normal_client, year=2026), owner=alice)


@pytest.fixture
def review(normal_client):
    return ClientReviewFactory(client=normal_client)


def test_changing_only_an_actions_stakeholders_bumps_its_version_and_a_second_stale_edit_is_refused(
    action, people, alice
):
    first, second = people
    read = action.version
    services.action_update(
        actor=alice, action=Action.objects.get(pk=action.pk), expected_version=read, stakeholders=[first]
    )
    assert Action.objects.get(pk=action.pk).version == read + 1
    with pytest.raises(StaleVersionError):
        services.action_update(
            actor=alice, action=Action.objects.get(pk=action.pk), expected_version=read, stakeholders=[second]
        )
    assert list(Action.objects.get(pk=action.pk).stakeholders.all()) == [first]


@pytest.mark.parametrize("link", ["firm_attendees", "client_attendees"])
def test_changing_only_a_reviews_attendees_bumps_its_version_and_a_second_stale_edit_is_refused(
    link, review, people, alice, bob
):
    values = {"firm_attendees": (alice, bob), "client_attendees": people}[link]
    read = review.version
    services.review_update(
        actor=alice, review=ClientReview.objects.get(pk=review.pk), expected_version=read, **{link: [values[0]]}
    )
    assert ClientReview.objects.get(pk=review.pk).version == read + 1
    with pytest.raises(StaleVersionError):
        services.review_update(
            actor=alice, review=ClientReview.objects.get(pk=review.pk), expected_version=read, **{link: [values[1]]}
        )
    assert list(getattr(ClientReview.objects.get(pk=review.pk), link).all()) == [values[0]]


def test_changing_only_a_clients_service_lines_bumps_its_version_and_a_second_stale_edit_is_refused(
    normal_client, alice
):
    tax, audit = ServiceLineFactory(), ServiceLineFactory()
    read = normal_client.version
    account_services.client_update(
        actor=alice,
        client=type(normal_client).objects.get(pk=normal_client.pk),
        expected_version=read,
        service_lines=[tax],
    )
    with pytest.raises(StaleVersionError):
        account_services.client_update(
            actor=alice,
            client=type(normal_client).objects.get(pk=normal_client.pk),
            expected_version=read,
            service_lines=[audit],
        )
    assert list(type(normal_client).objects.get(pk=normal_client.pk).service_lines.all()) == [tax]


def test_api_second_patch_of_an_actions_stakeholders_with_the_same_etag_is_412(action, people, alice, login):
    http = login(alice)
    url = f"/api/actions/{action.pk}/"
    etag = http.get(url).headers["ETag"]
    won = http.patch(url, {"stakeholders": [people[0].pk]}, content_type="application/json", HTTP_IF_MATCH=etag)
    assert won.status_code == 200
    assert won.headers["ETag"] != etag
    lost = http.patch(url, {"stakeholders": [people[1].pk]}, content_type="application/json", HTTP_IF_MATCH=etag)
    assert lost.status_code == 412
    assert [p.pk for p in Action.objects.get(pk=action.pk).stakeholders.all()] == [people[0].pk]
