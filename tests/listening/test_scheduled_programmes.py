"""Scheduled programmes: every few months, a survey to the decision-makers of the chosen tiers'
active clients, once per client per period however often the daily task runs; paused programmes,
"no surveys" clients, opted-out, bounced and erased people are left out; BD sets it up on the
programmes page with field errors for bad input; the page's figures keep the wall."""

import datetime
import re

import pytest
from django.conf import settings
from django.core import mail

from accounts.models import ClientStatus
from config.queues import SCHEDULED, TASK_QUEUES
from listening.models import Programme, ProgrammeRun, Suppression, Survey, add_months
from listening.services.programmes import programme_fire_for_client, programme_save, programmes_fire_scheduled
from listening.services.surveys import client_no_surveys_set, suppress
from listening.tasks import fire_scheduled_programmes
from stakeholders.privacy import stakeholder_erase
from tests.dates import days_from_today, today
from tests.factories import ClientFactory, StakeholderFactory, TierFactory

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Twice-yearly pulse",
    "trigger": "schedule",
    "every_months": "6",
    "intro": "Twice a year we ask how we are doing.",
    "asks_nps": "on",
    "open_days": "21",
}


@pytest.fixture
def growth():
    return TierFactory(name="Growth", rank=1)


@pytest.fixture
def develop():
    return TierFactory(name="Develop", rank=2)


@pytest.fixture
def scheduled(carol, growth):
    return programme_save(
        actor=carol, name="Twice-yearly pulse", trigger="schedule", every_months=6, asks_nps=True, tiers=[growth]
    )


def key_person(client, email, **fields):
    return StakeholderFactory(client=client, email=email, **{"buying_role": "decision_maker", **fields})


def fire(capture, day=None):
    """Run the daily task (or the service for another day) with its emails sent; returns surveys made."""
    with capture(execute=True):
        return fire_scheduled_programmes() if day is None else programmes_fire_scheduled(today=day)


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_it_surveys_each_clients_decision_makers_once_per_period_however_often_it_runs(
    scheduled, normal_client, alice, develop, django_capture_on_commit_callbacks
):
    assert normal_client.tier.name == "Growth"
    key_person(normal_client, "dana@harbour.example")
    key_person(normal_client, "chair@harbour.example", seniority="board", buying_role="user")
    StakeholderFactory(client=normal_client, email="ian@harbour.example")  # an influencer: not a key person
    other = ClientFactory(name="Develop Co", crp=alice, tier=develop)
    key_person(other, "dee@develop.example")  # not a Growth client
    lost = ClientFactory(name="Lost Ltd", crp=alice, status=ClientStatus.LOST)
    key_person(lost, "lou@lost.example")  # not an active client

    assert fire(django_capture_on_commit_callbacks) == 1
    assert recipients() == ["chair@harbour.example", "dana@harbour.example"]
    survey = Survey.objects.get()
    assert survey.programme == scheduled and survey.name == f"Twice-yearly pulse: Harbour Energy plc, {today():%b %Y}"

    assert fire(django_capture_on_commit_callbacks) == 0  # the same day again: nothing more
    assert fire(django_capture_on_commit_callbacks, days_from_today(40)) == 0  # later in the period: nothing
    assert len(mail.outbox) == 2 and ProgrammeRun.objects.count() == 1

    next_period = add_months(today(), 6)
    assert fire(django_capture_on_commit_callbacks, next_period) == 1
    assert fire(django_capture_on_commit_callbacks, next_period) == 0
    assert len(mail.outbox) == 4
    assert sorted(ProgrammeRun.objects.values_list("period_start", flat=True)) == [today(), next_period]


def test_two_workers_firing_the_same_client_and_period_send_once(
    scheduled, normal_client, django_capture_on_commit_callbacks
):
    dana = key_person(normal_client, "dana@harbour.example")
    with django_capture_on_commit_callbacks(execute=True):
        first = programme_fire_for_client(
            programme=scheduled, client=normal_client, period_start=today(), people=[dana], today=today()
        )
        second = programme_fire_for_client(
            programme=scheduled, client=normal_client, period_start=today(), people=[dana], today=today()
        )
    assert (first, second) == (True, False)
    assert len(mail.outbox) == 1 and Survey.objects.count() == 1 and ProgrammeRun.objects.count() == 1


def test_every_tier_when_none_is_chosen(carol, normal_client, alice, develop, django_capture_on_commit_callbacks):
    programme_save(actor=carol, name="Yearly", trigger="schedule", every_months=12, asks_nps=True)
    key_person(normal_client, "dana@harbour.example")
    key_person(ClientFactory(name="Develop Co", crp=alice, tier=develop), "dee@develop.example")
    assert fire(django_capture_on_commit_callbacks) == 2
    assert recipients() == ["dana@harbour.example", "dee@develop.example"]


def test_a_paused_programme_does_not_fire_and_resumed_fires_for_the_current_period_only(
    scheduled, carol, login, normal_client, django_capture_on_commit_callbacks
):
    key_person(normal_client, "dana@harbour.example")
    http = login(carol)
    assert http.post(f"/surveys/programmes/{scheduled.pk}/active/", {"active": "off"}).status_code == 302
    assert fire(django_capture_on_commit_callbacks) == 0
    assert fire(django_capture_on_commit_callbacks, add_months(today(), 6)) == 0
    assert mail.outbox == [] and not ProgrammeRun.objects.exists()

    response = http.post(f"/surveys/programmes/{scheduled.pk}/active/", {"active": "on"}, follow=True)
    assert "sends again from the current period on" in response.content.decode()
    assert fire(django_capture_on_commit_callbacks) == 1
    assert list(ProgrammeRun.objects.values_list("period_start", flat=True)) == [today()]


def test_no_surveys_clients_opt_outs_bounces_and_erased_people_are_left_out(
    scheduled, carol, alice, growth, normal_client, django_capture_on_commit_callbacks
):
    quiet = ClientFactory(name="Quiet plc", crp=alice, tier=growth)
    key_person(quiet, "q@quiet.example")
    client_no_surveys_set(actor=alice, client=quiet, no_surveys=True)

    key_person(normal_client, "dana@harbour.example")
    key_person(normal_client, "otto@harbour.example")
    key_person(normal_client, "bea@harbour.example")
    erased = key_person(normal_client, "eric@harbour.example")
    suppress(email="otto@harbour.example", reason=Suppression.Reason.OPTED_OUT)
    suppress(email="bea@harbour.example", reason=Suppression.Reason.BOUNCED)
    stakeholder_erase(actor=alice, stakeholder=erased)

    everyone_out = ClientFactory(name="Opted Out plc", crp=alice, tier=growth)
    key_person(everyone_out, "no@opted.example")
    suppress(email="no@opted.example", reason=Suppression.Reason.OPTED_OUT)

    assert fire(django_capture_on_commit_callbacks) == 1
    assert recipients() == ["dana@harbour.example"]
    assert list(ProgrammeRun.objects.values_list("client__name", flat=True)) == ["Harbour Energy plc"]

    # A client with nobody to survey is tried again: a key person added later in the period is asked.
    key_person(everyone_out, "new@opted.example")
    assert fire(django_capture_on_commit_callbacks, days_from_today(3)) == 1
    assert recipients() == ["dana@harbour.example", "new@opted.example"]


def test_the_first_period_starts_on_the_chosen_day(carol, normal_client, django_capture_on_commit_callbacks):
    start = days_from_today(10)
    programme = programme_save(
        actor=carol, name="Quarterly", trigger="schedule", every_months=3, starts_on=start, asks_csat=True
    )
    key_person(normal_client, "dana@harbour.example")
    assert programme.next_due(today()) == start
    assert fire(django_capture_on_commit_callbacks) == 0
    assert fire(django_capture_on_commit_callbacks, start) == 1
    assert programme.next_due(start + datetime.timedelta(days=1)) == add_months(start, 3)


def test_periods_keep_to_the_month_from_a_month_end():
    programme = Programme(trigger="schedule", every_months=3, starts_on=datetime.date(2027, 1, 31))
    assert add_months(datetime.date(2027, 1, 31), 1) == datetime.date(2027, 2, 28)
    assert programme.period_start_on(datetime.date(2027, 1, 30)) is None
    assert programme.period_start_on(datetime.date(2027, 4, 29)) == datetime.date(2027, 1, 31)
    assert programme.period_start_on(datetime.date(2027, 4, 30)) == datetime.date(2027, 4, 30)
    assert programme.period_start_on(datetime.date(2028, 1, 30)) == datetime.date(2027, 10, 31)
    assert programme.period_start_on(datetime.date(2028, 2, 1)) == datetime.date(2028, 1, 31)
    assert programme.next_due(datetime.date(2027, 5, 1)) == datetime.date(2027, 7, 31)


def test_the_daily_task_is_on_the_beat_schedule_and_the_scheduled_queue():
    entry = settings.CELERY_BEAT_SCHEDULE["listening-scheduled-programmes"]
    assert entry["task"] == "listening.tasks.fire_scheduled_programmes"
    assert entry["schedule"].hour == {9} and entry["schedule"].minute == {0}  # once a day
    assert TASK_QUEUES["listening.tasks.fire_scheduled_programmes"] == SCHEDULED


def test_bd_sets_up_a_schedule_on_the_programmes_page_and_sees_it_listed(carol, login, growth, develop):
    http = login(carol)
    form = http.get("/surveys/programmes/new/").content.decode()
    assert "Every 6 months" in form and "Growth" in form and "Develop" in form
    response = http.post("/surveys/programmes/new/", {**FORM, "tiers": [growth.pk]})
    assert response.status_code == 302
    programme = Programme.objects.get()
    assert (programme.trigger, programme.every_months, programme.starts_on) == ("schedule", 6, today())
    assert list(programme.tiers.all()) == [growth]
    page = http.get("/surveys/programmes/").content.decode()
    assert f"Every 6 months to decision-makers of Growth clients; next due {today():%-d %b %Y}" in page

    edit = http.get(f"/surveys/programmes/{programme.pk}/").content.decode()
    ticked = re.findall(r'<input type="checkbox" name="tiers" value="(\d+)"[^>]*checked', edit)
    assert ticked == [str(growth.pk)]
    response = http.post(
        f"/surveys/programmes/{programme.pk}/", {**FORM, "every_months": "12", "tiers": [growth.pk, develop.pk]}
    )
    assert response.status_code == 302
    page = http.get("/surveys/programmes/").content.decode()
    assert "Every 12 months to decision-makers of Growth or Develop clients" in page


def test_an_after_review_programme_keeps_no_schedule(carol, growth):
    programme = programme_save(
        actor=carol, name="After each review", trigger="after_review", every_months=6, tiers=[growth], asks_nps=True
    )
    assert (programme.every_months, programme.starts_on, list(programme.tiers.all())) == (None, None, [])


@pytest.mark.parametrize(
    "changes, field, text",
    [
        ({"every_months": ""}, "every_months", "Choose how often a scheduled programme sends"),
        ({"every_months": "5"}, "every_months", "Select a valid choice"),
        ({"starts_on": "next spring"}, "starts_on", "Enter a valid date"),
        ({"starts_on": "1066-10-14"}, "starts_on", ""),
        ({"tiers": ["999999"]}, "tiers", "Select a valid choice"),
    ],
)
def test_bad_schedule_input_gets_a_field_error_and_changes_nothing(carol, login, scheduled, changes, field, text):
    http = login(carol)
    for url in ("/surveys/programmes/new/", f"/surveys/programmes/{scheduled.pk}/"):
        response = http.post(url, {**FORM, "every_months": "3", **changes})
        assert response.status_code == 400
        page = response.content.decode()
        assert f'id="id_{field}-error"' in page and text in page
    assert Programme.objects.count() == 1
    scheduled.refresh_from_db()
    assert (scheduled.every_months, scheduled.starts_on) == (6, today())


def test_the_figures_count_a_walled_clients_sends_only_inside_the_wall(
    scheduled, carol, mike, login, confidential_client, django_capture_on_commit_callbacks
):
    assert confidential_client.tier.name == "Growth"
    key_person(confidential_client, "pat@nightjar.example")
    assert fire(django_capture_on_commit_callbacks) == 1
    assert recipients() == ["pat@nightjar.example"]
    outside = login(carol).get("/surveys/programmes/").content.decode()
    assert "Never" in outside and "<td>1</td>" not in outside
    inside = login(mike).get("/surveys/programmes/").content.decode()
    assert "Never" not in inside and inside.count("<td>1</td>") == 2  # one survey, one email


def test_the_list_runs_the_same_queries_for_one_scheduled_programme_or_many(
    carol, login, growth, develop, normal_client, count_queries, django_capture_on_commit_callbacks
):
    programme_save(actor=carol, name="Schedule 0", trigger="schedule", every_months=6, asks_nps=True, tiers=[growth])
    key_person(normal_client, "dana@harbour.example")
    fire(django_capture_on_commit_callbacks)
    http = login(carol)
    http.get("/surveys/programmes/")
    at_one = count_queries(lambda: http.get("/surveys/programmes/"))
    for i in range(1, 8):
        programme_save(
            actor=carol,
            name=f"Schedule {i}",
            trigger="schedule",
            every_months=(3, 6, 12)[i % 3],
            asks_nps=True,
            tiers=[growth, develop][: i % 3],
            active=i % 2 == 0,
        )
    fire(django_capture_on_commit_callbacks)
    page = http.get("/surveys/programmes/").content.decode()
    assert page.count("Every ") == 8 and "every active key client" in page
    assert count_queries(lambda: http.get("/surveys/programmes/")) == at_one
