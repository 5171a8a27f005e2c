"""The access matrix for every stakeholder page and endpoint, and the ethical wall around confidential clients."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import InteractionFactory, RelationshipFactory, StakeholderFactory, UserFactory

pytestmark = pytest.mark.django_db

# who: (sees normal, sees confidential, edits normal, edits confidential) — as in tests/accounts/test_access.py
MATRIX = {
    "alice": (True, True, True, True),
    "bob": (True, False, False, False),
    "carol": (True, False, True, False),
    "mike": (True, True, True, True),
    "ada": (True, True, True, True),
}
CLIENT_PAGES = [
    "stakeholder-org-chart",
    "stakeholder-map",
    "stakeholder-gaps",
    "stakeholder-matrix",
    "interaction-timeline",
    "stakeholder-export",
    "interaction-export",
]


@pytest.fixture
def world(normal_client, confidential_client, alice, ceo, secret_person):
    RelationshipFactory(stakeholder=secret_person, user=alice, strength=5, is_primary=True)
    RelationshipFactory(stakeholder=ceo, user=alice, strength=4)
    meeting = InteractionFactory(client=confidential_client, firm_attendees=[alice], summary="Nightjar deal talk")
    meeting.stakeholders.set([secret_person])
    return normal_client, confidential_client


def _write_status(edits: bool, sees: bool) -> int:
    return 403 if sees and not edits else 404 if not sees else 200


@pytest.mark.parametrize("who", MATRIX)
@pytest.mark.parametrize("page", CLIENT_PAGES)
def test_client_stakeholder_pages_follow_the_matrix(who, page, users, world, login):
    normal, confidential = world
    sees_normal, sees_conf, _, _ = MATRIX[who]
    http = login(users[who])
    assert http.get(reverse(page, args=[normal.pk])).status_code == (200 if sees_normal else 404)
    assert http.get(reverse(page, args=[confidential.pk])).status_code == (200 if sees_conf else 404)


@pytest.mark.parametrize("who", MATRIX)
def test_stakeholder_detail_and_writes_follow_the_matrix(who, users, world, ceo, secret_person, login):
    _, sees_conf, edits_normal, edits_conf = MATRIX[who]
    http = login(users[who])
    assert http.get(reverse("stakeholder-detail", args=[secret_person.pk])).status_code == (200 if sees_conf else 404)
    rel = http.post(reverse("relationship-set", args=[ceo.pk]), {"user": users["mike"].pk, "strength": 3})
    assert rel.status_code == (302 if edits_normal else 403)
    new = http.get(reverse("stakeholder-create", args=[world[1].pk]))
    assert new.status_code == _write_status(edits_conf, sees_conf)
    log = http.post(reverse("interaction-log", args=[world[1].pk]), {"log-summary": "x"})
    assert log.status_code == (302 if edits_conf else _write_status(edits_conf, sees_conf))


@pytest.mark.parametrize("who", MATRIX)
def test_api_follows_the_matrix(who, users, world, ceo, secret_person, login):
    normal, _ = world
    _, sees_conf, edits_normal, _ = MATRIX[who]
    http = login(users[who])
    names = [s["name"] for s in http.get("/api/stakeholders/").json()["results"]]
    assert ("Sebastian Secret" in names) is sees_conf
    assert http.get(f"/api/stakeholders/{secret_person.pk}/").status_code == (200 if sees_conf else 404)
    etag = http.get(f"/api/stakeholders/{ceo.pk}/").headers["ETag"]
    response = http.patch(
        f"/api/stakeholders/{ceo.pk}/", {"job_title": "CEO"}, content_type="application/json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == (200 if edits_normal else 403)
    created = http.post(
        "/api/interactions/",
        {
            "client": normal.pk,
            "date": timezone.localdate().isoformat(),
            "kind": "call",
            "summary": "Call",
            "firm_attendees": [users["alice"].pk],
            "stakeholders": [ceo.pk],
        },
        content_type="application/json",
    )
    assert created.status_code == (201 if edits_normal else 400)


def test_confidential_stakeholders_never_appear_for_an_outsider(bob, world, alice, login):
    http = login(bob)
    urls = [
        "/api/stakeholders/",
        "/api/relationships/",
        "/api/interactions/",
        "/api/stakeholders/?search=Secret",
        f"/api/relationships/?user={alice.pk}",
        reverse("person-relationships", args=[alice.pk]),
        reverse("who-knows-whom") + "?client=Nightjar",
        reverse("who-knows-whom") + "?seniority=board",
    ]
    for url in urls:
        response = http.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "Sebastian" not in body and "Nightjar Holdings" not in body and "Nightjar deal" not in body, url


def test_insider_finds_confidential_stakeholders_in_who_knows_whom(alice, world, login):
    body = login(alice).get(reverse("who-knows-whom") + "?client=Nightjar").content.decode()
    assert "Sebastian Secret" in body


def test_api_refuses_a_stale_or_missing_if_match(alice, ceo, login):
    http = login(alice)
    url = f"/api/stakeholders/{ceo.pk}/"
    assert http.patch(url, {"job_title": "x"}, content_type="application/json").status_code == 428
    etag = http.get(url).headers["ETag"]
    http.patch(url, {"job_title": "CEO"}, content_type="application/json", HTTP_IF_MATCH=etag)
    assert (
        http.patch(url, {"job_title": "Chair"}, content_type="application/json", HTTP_IF_MATCH=etag).status_code == 412
    )


def test_api_refuses_a_reporting_loop_with_a_field_error(alice, normal_client, ceo, login):
    report = StakeholderFactory(client=normal_client, reports_to=ceo)
    http = login(alice)
    etag = http.get(f"/api/stakeholders/{ceo.pk}/").headers["ETag"]
    response = http.patch(
        f"/api/stakeholders/{ceo.pk}/", {"reports_to": report.pk}, content_type="application/json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 400
    assert "reports_to" in response.json()


def test_api_refuses_future_interactions_and_missing_attendees(alice, normal_client, login):
    http = login(alice)
    response = http.post(
        "/api/interactions/",
        {"client": normal_client.pk, "date": "2098-01-01", "summary": "x", "firm_attendees": []},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert {"date", "firm_attendees"} <= set(response.json())


def test_api_filters_interactions_by_stakeholder_and_dates(alice, normal_client, ceo, login):
    hit = InteractionFactory(client=normal_client, firm_attendees=[alice])
    hit.stakeholders.set([ceo])
    InteractionFactory(client=normal_client, firm_attendees=[alice])
    today = timezone.localdate().isoformat()
    results = login(alice).get(f"/api/interactions/?stakeholder={ceo.pk}&date_after={today}").json()["results"]
    assert [r["id"] for r in results] == [hit.pk]


def test_api_schema_documents_the_stakeholder_endpoints(alice, login):
    schema = login(alice).get("/api/schema/").content.decode()
    assert "/api/stakeholders/" in schema and "/api/relationships/" in schema and "/api/interactions/" in schema


def test_relationship_update_needs_the_current_etag(alice, ceo, login):
    rel = RelationshipFactory(stakeholder=ceo, user=alice, strength=2)
    http = login(alice)
    url = f"/api/relationships/{rel.pk}/"
    assert http.patch(url, {"strength": 4}, content_type="application/json").status_code == 428
    etag = http.get(url).headers["ETag"]
    assert http.patch(url, {"strength": 4}, content_type="application/json", HTTP_IF_MATCH=etag).status_code == 200
    assert http.patch(url, {"strength": 5}, content_type="application/json", HTTP_IF_MATCH=etag).status_code == 412
    rel.refresh_from_db()
    assert rel.strength == 4


def test_api_refuses_a_second_primary_owner(alice, ceo, login):
    RelationshipFactory(stakeholder=ceo, user=alice, strength=4, is_primary=True)
    other = UserFactory()
    response = login(alice).post(
        "/api/relationships/",
        {"stakeholder": ceo.pk, "user": other.pk, "strength": 2, "is_primary": True},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "is_primary" in response.json()
