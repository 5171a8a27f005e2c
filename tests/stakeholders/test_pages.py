import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from stakeholders.models import Interaction
from tests.factories import InteractionFactory, RelationshipFactory, StakeholderFactory, UserFactory

pytestmark = pytest.mark.django_db
CLIENT_PAGES = [
    "stakeholder-org-chart",
    "stakeholder-map",
    "stakeholder-gaps",
    "stakeholder-matrix",
    "interaction-timeline",
    "stakeholder-export",
    "interaction-export",
]


def seed(client, n_people: int, n_interactions: int, attendee):
    people = [
        StakeholderFactory(
            client=client,
            name=f"P{i}",
            seniority="c_suite" if i % 3 == 0 else "middle",
            buying_role="decision_maker" if i % 4 == 0 else "user",
        )
        for i in range(n_people)
    ]
    for i, person in enumerate(people):
        if i:
            person.reports_to = people[(i - 1) // 2]
            person.save()
        RelationshipFactory(stakeholder=person, user=attendee, strength=1 + i % 5)
    through = Interaction.stakeholders.through
    for i in range(n_interactions):
        interaction = InteractionFactory(
            client=client, firm_attendees=[attendee], date=timezone.localdate() - datetime.timedelta(days=i * 3)
        )
        through.objects.create(interaction=interaction, stakeholder=people[i % n_people])
    return people


@pytest.mark.parametrize("name", CLIENT_PAGES)
def test_client_stakeholder_pages_render_for_the_team(name, alice, normal_client, login):
    seed(normal_client, 4, 3, alice)
    response = login(alice).get(reverse(name, args=[normal_client.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "name",
    ["stakeholder-org-chart", "stakeholder-gaps", "interaction-timeline", "stakeholder-map", "stakeholder-matrix"],
)
def test_page_query_count_does_not_grow_with_the_data(name, alice, normal_client, login, django_assert_max_num_queries):
    http = login(alice)
    url = reverse(name, args=[normal_client.pk])
    seed(normal_client, 3, 3, alice)
    with django_assert_max_num_queries(10) as small:
        http.get(url)
    seed(normal_client, 40, 60, UserFactory())
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert http.get(url).status_code == 200


def test_logging_an_interaction_from_the_client_page_adds_it_to_the_timeline(alice, normal_client, ceo, login):
    http = login(alice)
    response = http.post(
        reverse("interaction-log", args=[normal_client.pk]),
        {
            "log-date": timezone.localdate().isoformat(),
            "log-kind": "meeting",
            "log-firm_attendees": [alice.pk],
            "log-stakeholders": [ceo.pk],
            "log-sentiment": "1",
            "log-summary": "Board strategy breakfast",
        },
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="recent-interactions" hx-swap-oob="true"' in body
    assert "Board strategy breakfast" in body
    assert Interaction.objects.get().stakeholders.get() == ceo


def test_logging_a_future_interaction_shows_the_error_and_saves_nothing(alice, normal_client, ceo, login):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = login(alice).post(
        reverse("interaction-log", args=[normal_client.pk]),
        {
            "log-date": tomorrow.isoformat(),
            "log-kind": "meeting",
            "log-firm_attendees": [alice.pk],
            "log-summary": "Planned dinner",
        },
        HTTP_HX_REQUEST="true",
    )
    assert "cannot be dated in the future" in response.content.decode()
    assert not Interaction.objects.exists()


def test_client_page_shows_the_stakeholder_section(alice, normal_client, ceo, login):
    body = login(alice).get(reverse("client-detail", args=[normal_client.pk])).content.decode()
    assert 'id="stakeholders"' in body
    assert "Clara Chief" in body
    assert 'id="interaction-log-form"' in body


def test_read_only_partner_sees_no_log_form_and_cannot_log(bob, normal_client, ceo, login):
    http = login(bob)
    body = http.get(reverse("client-detail", args=[normal_client.pk])).content.decode()
    assert "Clara Chief" in body
    assert 'id="interaction-log-form"' not in body
    response = http.post(reverse("interaction-log", args=[normal_client.pk]), {"log-summary": "x"})
    assert response.status_code == 403


def test_stakeholder_detail_shows_who_knows_them(alice, normal_client, ceo, login):
    RelationshipFactory(stakeholder=ceo, user=alice, strength=4, is_primary=True)
    body = login(alice).get(reverse("stakeholder-detail", args=[ceo.pk])).content.decode()
    assert "Alice Partner" in body and "primary owner" in body


def test_editing_with_a_stale_version_is_refused(alice, normal_client, ceo, login):
    http = login(alice)
    data = {
        "name": "Clara Chief",
        "seniority": "c_suite",
        "buying_role": "decision_maker",
        "attitude": "1",
        "influence": "5",
        "status": "active",
        "version": ceo.version,
    }
    http.post(reverse("stakeholder-detail", args=[ceo.pk]), {**data, "job_title": "CEO"})
    response = http.post(reverse("stakeholder-detail", args=[ceo.pk]), {**data, "job_title": "Chair"})
    assert "changed by someone else" in response.content.decode()
    ceo.refresh_from_db()
    assert ceo.job_title == "CEO"


def test_export_escapes_formulas(alice, normal_client, login):
    StakeholderFactory(client=normal_client, name='=HYPERLINK("x")', notes="@SUM(A1)")
    body = b"".join(login(alice).get(reverse("stakeholder-export", args=[normal_client.pk])).streaming_content)
    text = body.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text


def test_org_chart_cards_show_owner_and_contact_and_escape_names(alice, normal_client, login):
    person = StakeholderFactory(client=normal_client, name="<b>Bold</b> Bea", buying_role="champion")
    RelationshipFactory(stakeholder=person, user=alice, strength=4, is_primary=True)
    InteractionFactory(
        client=normal_client, firm_attendees=[alice], date=timezone.localdate() - datetime.timedelta(days=1)
    ).stakeholders.set([person])
    body = login(alice).get(reverse("stakeholder-org-chart", args=[normal_client.pk])).content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt; Bea" in body and "<b>Bold</b>" not in body
    assert "Owner: Alice Partner" in body and "1 day since contact" in body and "Champion" in body


def test_coverage_matrix_cell_shows_strength_target_and_primary_star(alice, normal_client, ceo, login):
    RelationshipFactory(stakeholder=ceo, user=alice, strength=3, target_strength=5, is_primary=True)
    body = login(alice).get(reverse("stakeholder-matrix", args=[normal_client.pk])).content.decode()
    assert '<td class="str-3">★ 3 → 5<br>' in body
    assert "one thread" in body


def test_logging_without_htmx_never_redirects_off_site(alice, normal_client, login):
    response = login(alice).post(
        reverse("interaction-log", args=[normal_client.pk]),
        {
            "log-date": timezone.localdate().isoformat(),
            "log-kind": "call",
            "log-firm_attendees": [alice.pk],
            "log-summary": "Call",
            "next": "https://evil.example/",
        },
    )
    assert response.status_code == 302
    assert response.url == f"/clients/{normal_client.pk}/#stakeholders"
    assert Interaction.objects.count() == 1
