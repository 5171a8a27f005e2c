"""Relationships are version-checked like every other record: a POST for a pair that already has one,
a page save with a stale or missing version, and a stale removal are refused and say what is stored."""

import pytest
from django.urls import reverse

from stakeholders.models import Relationship
from tests.factories import RelationshipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rel(ceo, alice):
    return RelationshipFactory(stakeholder=ceo, user=alice, strength=2, notes="Met at the AGM")


def test_api_post_for_an_existing_pair_is_409_and_overwrites_nothing(rel, ceo, alice, login):
    response = login(alice).post(
        "/api/relationships/",
        {"stakeholder": ceo.pk, "user": alice.pk, "strength": 5, "notes": ""},
        content_type="application/json",
    )
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert f"already has a relationship with {ceo}" in detail
    assert f"/api/relationships/{rel.pk}/" in detail and "If-Match" in detail
    stored = Relationship.objects.get(pk=rel.pk)
    assert (stored.strength, stored.notes, stored.version) == (2, "Met at the AGM", rel.version)


def test_api_post_for_a_new_pair_still_creates_it(ceo, mike, alice, login):
    response = login(alice).post(
        "/api/relationships/", {"stakeholder": ceo.pk, "user": mike.pk, "strength": 3}, content_type="application/json"
    )
    assert response.status_code == 201
    assert Relationship.objects.filter(stakeholder=ceo, user=mike, strength=3).exists()


def test_api_delete_needs_the_current_etag(rel, alice, login):
    http = login(alice)
    url = f"/api/relationships/{rel.pk}/"
    assert http.delete(url).status_code == 428
    etag = http.get(url).headers["ETag"]
    assert http.patch(url, {"strength": 4}, content_type="application/json", HTTP_IF_MATCH=etag).status_code == 200
    assert http.delete(url, HTTP_IF_MATCH=etag).status_code == 412
    assert Relationship.objects.filter(pk=rel.pk, strength=4).exists()


def _post(http, ceo, user, strength, version=None):
    data = {"user": user.pk, "strength": strength, "notes": "Mine"}
    if version is not None:
        data["version"] = version
    return http.post(reverse("relationship-set", args=[ceo.pk]), data)


def test_page_save_with_a_stale_version_is_refused_and_shows_what_is_stored(rel, ceo, alice, login):
    http = login(alice)
    page = http.get(reverse("stakeholder-detail", args=[ceo.pk]) + f"?edit_relationship={rel.pk}")
    assert f'name="version" value="{rel.version}"' in page.content.decode()
    Relationship.objects.filter(pk=rel.pk).update(strength=4, notes="Now a trusted contact", version=rel.version + 1)

    stale = _post(http, ceo, alice, 1, version=rel.version)

    assert stale.status_code == 409
    body = stale.content.decode()
    assert 'data-testid="relationship-conflict"' in body
    assert "changed by someone else since you opened it" in body
    assert "Now a trusted contact" in body
    assert f'name="version" value="{rel.version + 1}"' in body  # a second save is a deliberate overwrite
    assert Relationship.objects.get(pk=rel.pk).notes == "Now a trusted contact"
    again = _post(http, ceo, alice, 1, version=rel.version + 1)
    assert again.status_code == 302
    stored = Relationship.objects.get(pk=rel.pk)
    assert (stored.strength, stored.notes, stored.version) == (1, "Mine", rel.version + 2)


def test_page_add_for_a_pair_that_already_has_one_shows_it_instead_of_overwriting(rel, ceo, alice, login):
    response = _post(login(alice), ceo, alice, 5)
    assert response.status_code == 409
    assert "Alice Partner already has a relationship with Clara Chief" in response.content.decode()
    assert Relationship.objects.get(pk=rel.pk).strength == 2


def test_page_remove_of_a_relationship_changed_since_the_page_was_read_is_refused(rel, alice, login):
    Relationship.objects.filter(pk=rel.pk).update(strength=5, version=rel.version + 1)
    response = login(alice).post(reverse("relationship-remove", args=[rel.pk]), {"version": rel.version}, follow=True)
    assert "was not removed" in response.content.decode()
    assert Relationship.objects.filter(pk=rel.pk).exists()


def test_making_someone_primary_bumps_both_relationships_versions(rel, ceo, mike, alice, login):
    Relationship.objects.filter(pk=rel.pk).update(is_primary=True)
    other = RelationshipFactory(stakeholder=ceo, user=mike, strength=3)
    login(alice).post(reverse("relationship-primary", args=[other.pk]))
    assert Relationship.objects.get(pk=rel.pk).version == rel.version + 1
    assert Relationship.objects.get(pk=other.pk).version == other.version + 1
