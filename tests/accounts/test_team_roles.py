"""Who may change a team, the ethical wall and the CRP: each gate per role, on pages and the API.

Refused writes answer 403 with a message and change nothing; allowed ones notify the people affected.
Roles: `member` is a plain partner on the open client's team, alice its CRP (and a plain member of
the confidential team), bob an outsider, carol BD, mike a managing partner, ada an admin.
"""

import datetime
import html

import pytest
from django.apps import apps
from django.urls import reverse

from accounts import access
from accounts.models import Assignment, Client, Notification, Role
from planning.models import Transition
from tests.dates import today
from tests.factories import AccountPlanFactory, TierFactory, UserFactory

pytestmark = pytest.mark.django_db

ALLOWED_TO_MANAGE_OPEN_TEAM = {"alice", "carol", "mike", "ada"}
ALLOWED_TO_MANAGE_WALLED_TEAM = {"walter", "mike", "ada"}
MAY_HAND_OVER = {"mike", "ada"}
SEES_WALLED_CLIENT = {"alice", "walter", "mike", "ada"}
EVERYONE = ["member", "alice", "bob", "carol", "mike", "ada"]


@pytest.fixture
def member(normal_client):
    person = UserFactory(email="member@firm.example", full_name="Molly Member", role=Role.PARTNER)
    Assignment.objects.create(client=normal_client, user=person, role="team")
    return person


@pytest.fixture
def people(users, member, crp_of_wall):
    return {**users, "member": member, "walter": crp_of_wall}


@pytest.fixture
def newcomer(db):
    return UserFactory(email="newcomer@firm.example", full_name="Nina Newcomer", role=Role.PARTNER)


def current_crp(client) -> str:
    return Assignment.objects.get(client=client, role="crp", end_date__isnull=True).user.email


def team_emails(client) -> set[str]:
    return set(Assignment.objects.filter(client=client, end_date__isnull=True).values_list("user__email", flat=True))


def refused(response) -> bool:
    return response.status_code == 403


def text_of(response) -> str:
    return html.unescape(response.content.decode())


# --- the predicates -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", [*EVERYONE, "walter"])
def test_who_manages_each_team(who, people, normal_client, confidential_client):
    user = people[who]
    assert access.may_manage_team(user, normal_client) is (who in ALLOWED_TO_MANAGE_OPEN_TEAM)
    assert access.may_manage_team(user, confidential_client) is (who in ALLOWED_TO_MANAGE_WALLED_TEAM)
    assert access.may_hand_over_crp(user, normal_client) is (who in MAY_HAND_OVER)
    assert access.may_change_confidentiality(user) is (who in MAY_HAND_OVER)


# --- adding team members ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", EVERYONE)
def test_adding_a_member_on_the_page_follows_the_gate(who, people, normal_client, newcomer, login):
    response = login(people[who]).post(
        reverse("assignment-add", args=[normal_client.pk]),
        {"user": newcomer.pk, "role": "team", "start_date": "2026-01-05"},
    )
    if who in ALLOWED_TO_MANAGE_OPEN_TEAM:
        assert response.status_code == 302
        assert newcomer.email in team_emails(normal_client)
        assert Notification.objects.filter(user=newcomer, client=normal_client).exists()
    else:
        assert refused(response)
        assert "CRP, a managing partner or an administrator" in text_of(response)
        assert newcomer.email not in team_emails(normal_client)
        assert not Notification.objects.filter(user=newcomer).exists()


@pytest.mark.parametrize("who", EVERYONE)
def test_adding_a_member_through_the_api_follows_the_gate(who, people, normal_client, newcomer, login):
    response = login(people[who]).post(
        "/api/assignments/",
        {"client": normal_client.pk, "user": newcomer.pk, "role": "sam", "start_date": "2026-01-05"},
        content_type="application/json",
    )
    if who in ALLOWED_TO_MANAGE_OPEN_TEAM:
        assert response.status_code == 201
        assert newcomer.email in team_emails(normal_client)
    else:
        assert response.status_code in (400, 403)  # 400: the client is not in the caller's choices
        assert newcomer.email not in team_emails(normal_client)


@pytest.mark.parametrize("who", [*EVERYONE, "walter"])
def test_adding_a_member_to_a_walled_team_follows_the_gate(who, people, confidential_client, newcomer, login):
    response = login(people[who]).post(
        reverse("assignment-add", args=[confidential_client.pk]),
        {"user": newcomer.pk, "role": "team", "start_date": "2026-01-05"},
    )
    if who in ALLOWED_TO_MANAGE_WALLED_TEAM:
        assert response.status_code == 302
        assert newcomer.email in team_emails(confidential_client)
    else:
        assert response.status_code == (403 if who in SEES_WALLED_CLIENT else 404)
        assert newcomer.email not in team_emails(confidential_client)


@pytest.mark.parametrize("who", EVERYONE)
def test_the_folded_team_form_opens_for_those_who_may_add(who, people, normal_client, newcomer, login):
    """The client page folds the form and fetches it when opened: the same gate as adding."""
    http = login(people[who])
    url = reverse("assignment-add", args=[normal_client.pk])
    page = http.get(url)
    if who in ALLOWED_TO_MANAGE_OPEN_TEAM:
        assert page.status_code == 200
        assert "<html" in text_of(page) and newcomer.full_name in text_of(page)  # a page of its own
        folded = http.get(url, HTTP_HX_REQUEST="true")
        assert "<html" not in text_of(folded)
        assert f'action="{url}"' in text_of(folded) and newcomer.full_name in text_of(folded)
        assert url in text_of(http.get(normal_client.get_absolute_url()))
    else:
        assert refused(page)
        assert newcomer.full_name not in text_of(page)


def test_the_folded_team_form_of_a_walled_client_is_not_found_outside_the_wall(bob, confidential_client, login):
    assert login(bob).get(reverse("assignment-add", args=[confidential_client.pk])).status_code == 404


# --- ending team members ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "bob", "carol", "mike", "ada"])
def test_ending_someone_elses_role_on_the_page_follows_the_gate(who, people, member, normal_client, login):
    assignment = Assignment.objects.get(client=normal_client, user=member)
    response = login(people[who]).post(
        reverse("assignment-end", args=[assignment.pk]), {"end_date": today().isoformat()}
    )
    assignment.refresh_from_db()
    if who in ALLOWED_TO_MANAGE_OPEN_TEAM:
        assert response.status_code == 302
        assert assignment.end_date == today()
        note = Notification.objects.get(user=member)
        assert normal_client.name in note.title and people[who].full_name in note.body
    else:
        assert refused(response)
        assert assignment.end_date is None
        assert not Notification.objects.filter(user=member).exists()


def test_a_plain_member_cannot_end_another_members_role(people, member, normal_client, login):
    other = UserFactory(role=Role.PARTNER)
    assignment = Assignment.objects.create(client=normal_client, user=other, role="sam")
    for call in (
        lambda http: http.post(reverse("assignment-end", args=[assignment.pk]), {"end_date": str(today())}),
        lambda http: http.post(
            f"/api/assignments/{assignment.pk}/end/", {"end_date": today().isoformat()}, content_type="application/json"
        ),
    ):
        response = call(login(member))
        assert refused(response)
        assert "CRP, a managing partner or an administrator" in text_of(response)
    assignment.refresh_from_db()
    assert assignment.end_date is None
    assert not Notification.objects.exists()


def test_a_member_may_leave_the_team(member, normal_client, login):
    assignment = Assignment.objects.get(client=normal_client, user=member)
    response = login(member).post(
        f"/api/assignments/{assignment.pk}/end/", {"end_date": today().isoformat()}, content_type="application/json"
    )
    assert response.status_code == 200
    assert member.email not in team_emails(normal_client)


@pytest.mark.parametrize("who", ["member", "alice", "carol"])
def test_nobody_but_a_managing_partner_or_admin_ends_a_crp_role(who, people, normal_client, login):
    crp = Assignment.objects.get(client=normal_client, role="crp")
    response = login(people[who]).post(
        f"/api/assignments/{crp.pk}/end/", {"end_date": today().isoformat()}, content_type="application/json"
    )
    assert refused(response)
    assert "managing partner's decision" in response.json()["detail"]
    assert current_crp(normal_client) == "alice@firm.example"


def test_removing_someone_from_a_walled_team_tells_them_without_naming_the_client(
    alice, crp_of_wall, confidential_client, login
):
    assignment = Assignment.objects.get(client=confidential_client, user=alice)
    response = login(crp_of_wall).post(
        reverse("assignment-end", args=[assignment.pk]), {"end_date": today().isoformat()}
    )
    assert response.status_code == 302
    note = Notification.objects.get(user=alice)
    assert confidential_client.name not in f"{note.title} {note.body} {note.url}"
    assert note.client is None and "confidential client" in note.title


# --- handing over the CRP role ----------------------------------------------------------------------


def handover_form(new_crp) -> dict:
    return {
        "new_crp": new_crp.pk,
        "on_date": today().isoformat(),
        "reason": "succession",
        "consent_required": "on",
        "consent_received_on": today().isoformat(),
        "notes": "Agreed at the board.",
    }


@pytest.mark.parametrize("who", EVERYONE)
def test_the_quick_handover_is_a_managing_partners_recorded_transition(who, people, normal_client, newcomer, login):
    response = login(people[who]).post(reverse("crp-handover", args=[normal_client.pk]), handover_form(newcomer))
    if who in MAY_HAND_OVER:
        assert response.status_code == 302
        assert current_crp(normal_client) == newcomer.email
        transition = Transition.objects.get(client=normal_client)
        assert (transition.status, transition.reason, transition.outgoing.email, transition.completed_on) == (
            "completed",
            "succession",
            "alice@firm.example",
            today(),
        )
        assert transition.consent_received_on == today()
        replaced = Notification.objects.get(user=people["alice"])
        assert "no longer the CRP" in replaced.title and newcomer.full_name in replaced.body
        assert Notification.objects.filter(user=newcomer, title__contains="now the CRP").exists()
    else:
        assert refused(response)
        assert "managing partner's decision" in text_of(response)
        assert current_crp(normal_client) == "alice@firm.example"
        assert not Transition.objects.exists()
        assert not Notification.objects.exists()


def test_the_quick_handover_checks_consent_like_any_transition(mike, normal_client, newcomer, login):
    form = {**handover_form(newcomer), "consent_received_on": ""}
    login(mike).post(reverse("crp-handover", args=[normal_client.pk]), form)
    assert current_crp(normal_client) == "alice@firm.example"
    assert not Transition.objects.exists()


def test_bd_cannot_make_themselves_crp(carol, normal_client, login):
    http = login(carol)
    page = http.post(reverse("crp-handover", args=[normal_client.pk]), handover_form(carol))
    api = http.post(
        "/api/assignments/",
        {"client": normal_client.pk, "user": carol.pk, "role": "crp"},
        content_type="application/json",
    )
    assert refused(page) and api.status_code in (400, 403)
    assert current_crp(normal_client) == "alice@firm.example"


def test_only_the_client_page_of_a_managing_partner_offers_the_handover(alice, mike, normal_client, login):
    url = reverse("client-detail", args=[normal_client.pk])
    assert "Hand over the CRP role" not in login(alice).get(url).content.decode()
    assert "Hand over the CRP role" in login(mike).get(url).content.decode()


@pytest.mark.parametrize("who", EVERYONE)
def test_the_folded_handover_form_opens_for_managing_partners_only(who, people, normal_client, newcomer, login):
    http = login(people[who])
    url = reverse("crp-handover", args=[normal_client.pk])
    folded = http.get(url, HTTP_HX_REQUEST="true")
    if who in MAY_HAND_OVER:
        assert folded.status_code == 200
        assert "<html" not in text_of(folded)
        assert "New Client Relationship Partner" in text_of(folded) and newcomer.full_name in text_of(folded)
        assert "Handover date" in text_of(http.get(url))
    else:
        assert refused(folded)
        assert newcomer.full_name not in text_of(folded)


@pytest.fixture
def planned(normal_client, alice, newcomer):
    from planning import services as planning_services

    return planning_services.transition_create(
        actor=alice,
        client=normal_client,
        incoming=newcomer,
        reason="workload",
        overlap_start=datetime.date(2026, 1, 1),
        overlap_end=datetime.date(2026, 2, 1),
        consent_required=False,
    )


@pytest.mark.parametrize("who", ["member", "alice", "carol", "mike"])
def test_completing_a_planned_transition_is_for_managing_partners(who, people, planned, normal_client, login):
    http = login(people[who])
    etag = http.get(f"/api/transitions/{planned.pk}/").headers.get("ETag", '"1"')
    response = http.post(
        f"/api/transitions/{planned.pk}/complete/", {}, content_type="application/json", HTTP_IF_MATCH=etag
    )
    planned.refresh_from_db()
    if who in MAY_HAND_OVER:
        assert response.status_code == 200
        assert planned.status == "completed"
    else:
        assert refused(response)
        assert (planned.status, planned.version) == ("planned", 1)
        assert current_crp(normal_client) == "alice@firm.example"


def test_the_plan_page_refuses_the_crp_completing_their_own_handover(alice, planned, normal_client, login):
    plan = AccountPlanFactory(client=normal_client, year=2026, status="active")
    response = login(alice).post(f"/plans/{plan.pk}/transitions/{planned.pk}/complete/", {"version": 1})
    assert refused(response)
    assert current_crp(normal_client) == "alice@firm.example"
    assert "Complete handover" not in login(alice).get(plan.get_absolute_url()).content.decode()


def test_a_plain_member_cannot_plan_a_transition(member, normal_client, newcomer, login):
    plan = AccountPlanFactory(client=normal_client, year=2026, status="active")
    http = login(member)
    api = http.post(
        "/api/transitions/",
        {
            "client": normal_client.pk,
            "incoming": newcomer.pk,
            "reason": "workload",
            "overlap_start": "2026-01-01",
            "overlap_end": "2026-02-01",
            "consent_required": False,
        },
        content_type="application/json",
    )
    page = http.post(
        reverse("plan-row-add", args=[plan.pk, "transition"]),
        {
            "incoming": newcomer.pk,
            "reason": "workload",
            "overlap_start": "2026-01-01",
            "overlap_end": today().isoformat(),
        },
    )
    assert refused(api) and refused(page)
    assert not Transition.objects.exists()


# --- the ethical wall -------------------------------------------------------------------------------


def patch_client(http, client, body):
    etag = http.get(f"/api/clients/{client.pk}/")["ETag"]
    return http.patch(f"/api/clients/{client.pk}/", body, content_type="application/json", HTTP_IF_MATCH=etag)


def test_bd_putting_an_open_client_behind_a_wall_is_a_clear_403_and_changes_nothing(carol, normal_client, login):
    before = Client.objects.get(pk=normal_client.pk)
    response = patch_client(login(carol), normal_client, {"confidential": True, "notes": "Walled"})
    assert response.status_code == 403
    assert "managing partner or an administrator" in response.json()["detail"]
    after = Client.objects.get(pk=normal_client.pk)
    assert (after.confidential, after.notes, after.version) == (False, before.notes, before.version)


@pytest.mark.parametrize("who", ["alice", "walter"])
def test_a_team_partner_cannot_take_the_wall_down(who, people, confidential_client, login):
    response = patch_client(login(people[who]), confidential_client, {"confidential": False})
    assert response.status_code == 403
    assert Client.objects.get(pk=confidential_client.pk).confidential is True


def test_a_team_partner_still_edits_the_rest_of_a_walled_client(alice, confidential_client, login):
    response = patch_client(login(alice), confidential_client, {"notes": "Board meets in May.", "confidential": True})
    assert response.status_code == 200
    assert Client.objects.get(pk=confidential_client.pk).notes == "Board meets in May."


@pytest.mark.parametrize("who", ["mike", "ada"])
def test_a_managing_partner_takes_the_wall_down_on_record_and_the_team_hears(
    who, people, alice, crp_of_wall, confidential_client, login
):
    response = patch_client(login(people[who]), confidential_client, {"confidential": False})
    assert response.status_code == 200
    assert Client.objects.get(pk=confidential_client.pk).confidential is False
    events = apps.get_model("accounts", "ClientEvent").objects.filter(pgh_obj=confidential_client)
    latest = events.select_related("pgh_context").latest("pgh_id")
    assert latest.confidential is False
    assert latest.pgh_context.metadata["user"] == people[who].pk
    told = set(
        Notification.objects.filter(title__contains="no longer behind an ethical wall").values_list(
            "user__email", flat=True
        )
    )
    assert told == {alice.email, crp_of_wall.email}


def test_the_edit_page_ignores_a_wall_change_from_a_partner(alice, normal_client, login):
    url = reverse("client-edit", args=[normal_client.pk])
    form = {
        "name": normal_client.name,
        "tier": normal_client.tier_id,
        "status": "active",
        "review_cadence_days": 91,
        "version": normal_client.version,
        "confidential": "on",
    }
    page = login(alice).get(url).content.decode()
    assert "Only a managing partner or an administrator" in page
    login(alice).post(url, form)
    assert Client.objects.get(pk=normal_client.pk).confidential is False


def test_the_edit_page_lets_a_managing_partner_put_up_the_wall(mike, alice, normal_client, login):
    url = reverse("client-edit", args=[normal_client.pk])
    form = {
        "name": normal_client.name,
        "tier": normal_client.tier_id,
        "status": "active",
        "review_cadence_days": 91,
        "version": normal_client.version,
        "confidential": "on",
    }
    assert login(mike).post(url, form).status_code == 302
    assert Client.objects.get(pk=normal_client.pk).confidential is True
    assert Notification.objects.filter(user=alice, title__contains="now behind an ethical wall").exists()


def test_bd_cannot_create_a_client_behind_a_wall(carol, alice, login):
    response = login(carol).post(
        "/api/clients/",
        {"name": "Hidden Newco", "tier": TierFactory(name="Growth").name, "crp": alice.pk, "confidential": True},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not Client.objects.filter(name="Hidden Newco").exists()


# --- the other role gates, now named in accounts.access -------------------------------------------------


@pytest.mark.parametrize(
    ("url_name", "reason"),
    [
        ("overview", "for managing partners, BD and administrators"),
        ("health-portfolio", "for the BD team and managing partners"),
        ("health-scorecard", "Only administrators change the scorecard"),
    ],
)
def test_role_gated_pages_tell_a_partner_why(url_name, reason, alice, login):
    response = login(alice).get(reverse(url_name))
    assert refused(response)
    assert reason in text_of(response)


def test_menus_offer_firm_wide_pages_only_to_firm_wide_roles(alice, carol, login):
    assert 'href="/health/portfolio/"' not in login(alice).get(reverse("client-list")).content.decode()
    assert 'href="/health/portfolio/"' in login(carol).get(reverse("client-list")).content.decode()


def crp_checks(queries) -> int:
    """The "is this person the client's current CRP?" lookups among `queries`."""
    return sum(
        1
        for q in queries
        if 'FROM "accounts_assignment"' in q["sql"] and "\"role\" = 'crp'" in q["sql"] and "LIMIT 1" in q["sql"]
    )


@pytest.mark.parametrize("via", ["page", "api"])
def test_the_crp_ending_a_members_role_is_looked_up_as_crp_once(via, alice, member, normal_client, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assignment = Assignment.objects.get(client=normal_client, user=member)
    http = login(alice)
    with CaptureQueriesContext(connection) as captured:
        if via == "page":
            response = http.post(reverse("assignment-end", args=[assignment.pk]), {"end_date": today().isoformat()})
        else:
            response = http.post(
                f"/api/assignments/{assignment.pk}/end/",
                {"end_date": today().isoformat()},
                content_type="application/json",
            )
    assert response.status_code in (200, 302)
    assert member.email not in team_emails(normal_client)
    assert crp_checks(captured.captured_queries) == 1
