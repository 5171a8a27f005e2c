"""Administrators define, change and pause playbooks in Keyline itself."""

from __future__ import annotations

import pytest

from workflow.models import Playbook, PlaybookStep

pytestmark = pytest.mark.django_db


def form_data(**changes):
    data = {
        "name": "Re-tender in 60 days",
        "trigger": "retender",
        "threshold": "60",
        "to_band": "",
        "description": "Bid team and pricing",
        "is_active": "on",
        "steps-TOTAL_FORMS": "2",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "30",
        "steps-0-description": "Form the bid team",
        "steps-0-owner_role": "crp",
        "steps-0-due_in_days": "7",
        "steps-1-description": "Pricing review",
        "steps-1-owner_role": "bd_lead",
        "steps-1-due_in_days": "21",
    }
    data.update(changes)
    return data


def test_an_administrator_creates_a_playbook_with_its_steps(ada, login):
    http = login(ada)
    assert http.get("/playbooks/new/").status_code == 200
    response = http.post("/playbooks/new/", form_data())
    assert response.status_code == 302
    playbook = Playbook.objects.get()
    assert (playbook.trigger, playbook.threshold, playbook.is_active) == ("retender", 60, True)
    assert [(s.description, s.owner_role, s.due_in_days) for s in playbook.steps.all()] == [
        ("Form the bid team", "crp", 7),
        ("Pricing review", "bd_lead", 21),
    ]
    page = http.get("/playbooks/").content.decode()
    assert "Re-tender in 60 days" in page and "Pricing review — BD lead" in page
    assert f'href="/playbooks/{playbook.pk}/edit/"' in page


def test_editing_changes_removes_and_adds_steps(ada, login):
    http = login(ada)
    http.post("/playbooks/new/", form_data())
    playbook = Playbook.objects.get()
    first, second = playbook.steps.all()
    edit = f"/playbooks/{playbook.pk}/edit/"
    page = http.get(edit).content.decode()
    assert 'value="Form the bid team"' in page
    response = http.post(
        edit,
        form_data(
            **{
                "name": "Re-tender soon",
                "steps-TOTAL_FORMS": "3",
                "steps-INITIAL_FORMS": "2",
                "steps-0-id": str(first.pk),
                "steps-0-due_in_days": "10",
                "steps-1-id": str(second.pk),
                "steps-1-DELETE": "on",
                "steps-2-description": "Client review before the tender",
                "steps-2-owner_role": "sam",
                "steps-2-due_in_days": "30",
            }
        ),
    )
    assert response.status_code == 302
    playbook.refresh_from_db()
    assert playbook.name == "Re-tender soon"
    kept = playbook.steps.first()
    assert (kept.pk, kept.due_in_days) == (first.pk, 10)
    assert [s.description for s in playbook.steps.all()] == ["Form the bid team", "Client review before the tender"]
    assert not PlaybookStep.objects.filter(pk=second.pk).exists()


@pytest.mark.parametrize(
    ("changes", "field_error"),
    [
        ({"threshold": ""}, "This trigger needs N above 0"),
        ({"trigger": "detractor", "to_band": "red"}, "A band applies only to band drops"),
        ({"name": ""}, "This field is required."),
        ({"trigger": "sunspots"}, "Select a valid choice. sunspots is not one of the available choices."),
        ({"steps-0-due_in_days": "-3"}, "Ensure this value is greater than or equal to 0."),
        ({"steps-0-due_in_days": "900"}, "Ensure this value is less than or equal to 365."),
        ({"steps-0-owner_role": "intern"}, "Select a valid choice. intern is not one of the available choices."),
        (
            {
                "steps-0-description": "",
                "steps-0-owner_role": "crp",
                "steps-0-due_in_days": "14",
                "steps-1-description": "",
                "steps-1-owner_role": "crp",
                "steps-1-due_in_days": "14",
            },
            "A playbook needs at least one step.",
        ),
    ],
)
def test_bad_input_gets_a_field_error_and_changes_nothing(ada, login, changes, field_error):
    response = login(ada).post("/playbooks/new/", form_data(**changes))
    assert response.status_code == 400
    body = response.content.decode().replace("&#x27;", "'")
    assert field_error in body
    assert not Playbook.objects.exists() and not PlaybookStep.objects.exists()


def test_a_duplicate_name_is_refused_under_the_name(ada, login):
    http = login(ada)
    http.post("/playbooks/new/", form_data())
    response = http.post("/playbooks/new/", form_data(name="re-tender IN 60 days"))
    assert response.status_code == 400
    assert "Another playbook already has this name." in response.content.decode()
    assert Playbook.objects.count() == 1


def test_pause_and_resume_for_every_client(ada, login):
    http = login(ada)
    http.post("/playbooks/new/", form_data())
    playbook = Playbook.objects.get()
    http.post(f"/playbooks/{playbook.pk}/active/", {"active": "0"})
    playbook.refresh_from_db()
    assert not playbook.is_active
    assert "Paused" in http.get("/playbooks/").content.decode()
    http.post(f"/playbooks/{playbook.pk}/active/", {"active": "1"})
    playbook.refresh_from_db()
    assert playbook.is_active


def test_only_administrators_change_playbooks(ada, alice, mike, login):
    login(ada).post("/playbooks/new/", form_data())
    playbook = Playbook.objects.get()
    for person in (alice, mike):
        http = login(person)
        page = http.get("/playbooks/").content.decode()
        assert "Re-tender in 60 days" in page and "/edit/" not in page
        assert http.get("/playbooks/new/").status_code == 403
        assert http.post("/playbooks/new/", form_data(name="Sneaky")).status_code == 403
        assert http.post(f"/playbooks/{playbook.pk}/edit/", form_data(name="Sneaky")).status_code == 403
        assert http.post(f"/playbooks/{playbook.pk}/active/", {"active": "0"}).status_code == 403
    playbook.refresh_from_db()
    assert playbook.name == "Re-tender in 60 days" and playbook.is_active
    assert login(ada).get("/playbooks/999999/edit/").status_code == 404
