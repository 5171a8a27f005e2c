"""Health pages: why, movers and what-if; notifications; CRP signals; scorecard editing."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Assignment, Notification, Tier
from health.models import HealthScore, Measurement, Scorecard
from health.services.recompute import scores_recompute
from health.services.scorecards import measures_of, scorecard_publish
from tests.accounts.test_pages import CLIENT_PAGE_QUERY_BUDGET
from tests.dates import today
from tests.factories import ClientFactory, FeeRecordFactory, InteractionFactory, UserFactory
from tests.health.factories import client_with_team

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def test_client_page_shows_score_band_and_why(scorecard, alice, login, normal_client):
    InteractionFactory.create_batch(4, client=normal_client, sentiment=1)
    scores_recompute(client_ids=[normal_client.pk])
    page = login(alice).get(reverse("client-detail", args=[normal_client.pk])).content.decode()
    assert "Relationship health" in page and "Why this score" in page
    assert "Contact frequency" in page and "Client NPS" in page
    assert "No data for:" in page and "Payment days" in page


def test_insufficient_coverage_is_not_shown_as_a_number(scorecard, alice, login, normal_client):
    HealthScore.objects.create(
        client=normal_client,
        as_of=today(),
        score=Decimal(90),
        coverage=Decimal("0.3"),
        band="insufficient",
        scorecard=scorecard,
        components=[],
    )
    page = login(alice).get(reverse("client-detail", args=[normal_client.pk])).content.decode()
    assert "Too few measures have data" in page
    assert '<span class="health-number">90' not in page


def test_a_scorecard_change_is_shown_apart_from_data_moves(
    scorecard, ada, alice, login, normal_client, django_capture_on_commit_callbacks
):
    InteractionFactory.create_batch(5, client=normal_client, date=today() - 100 * DAY)
    scores_recompute(client_ids=[normal_client.pk], as_of=today() - 95 * DAY)
    items = measures_of(scorecard)
    items[0].weight = Decimal(60)  # contact frequency matters more now
    with django_capture_on_commit_callbacks(execute=True):
        scorecard_publish(actor=ada, measures_in=items, green_threshold=Decimal(70), amber_threshold=Decimal(40))
    page = login(alice).get(reverse("client-detail", args=[normal_client.pk])).content.decode()
    assert "the scorecard change (v1 → v2) moved the score" in page
    assert "Contact frequency" in page


def test_data_move_sentence_names_measure_values_and_points(scorecard, alice, login, normal_client):
    InteractionFactory.create_batch(11, client=normal_client, date=today() - 100 * DAY)
    scores_recompute(client_ids=[normal_client.pk], as_of=today() - 95 * DAY)
    InteractionFactory.create_batch(4, client=normal_client, date=today() - 10 * DAY)
    Interaction = normal_client.interactions.model
    Interaction.objects.filter(client=normal_client, date=today() - 100 * DAY).update(date=today() - 400 * DAY)
    scores_recompute(client_ids=[normal_client.pk])
    page = login(alice).get(reverse("client-detail", args=[normal_client.pk])).content.decode()
    assert "Contact frequency fell from 11 to 4 touchpoints a year: \u2212" in page


def test_what_if_shows_a_score_and_saves_nothing(scorecard, alice, login, normal_client):
    scores_recompute(client_ids=[normal_client.pk])
    before = list(HealthScore.objects.values_list("score", "computed_at"))
    url = reverse("health-what-if", args=[normal_client.pk])
    response = login(alice).get(
        url,
        {"raw_contact_frequency": "10", "raw_client_nps": "9", "raw_sentiment": "2"},
        headers={"HX-Request": "true"},
    )
    assert "Would score" in response.content.decode()
    assert list(HealthScore.objects.values_list("score", "computed_at")) == before
    assert not Measurement.objects.exists()


def test_what_if_on_a_walled_client_is_a_404(scorecard, bob, login, confidential_client):
    assert login(bob).get(reverse("health-what-if", args=[confidential_client.pk])).status_code == 404


def test_client_page_health_section_runs_constant_queries(scorecard, alice, login, normal_client, count_queries):
    http = login(alice)
    scores_recompute(client_ids=[normal_client.pk])
    url = reverse("client-detail", args=[normal_client.pk])
    http.get(url)
    at_one = count_queries(lambda: http.get(url))
    for days in range(1, 200, 3):
        scores_recompute(client_ids=[normal_client.pk], as_of=today() - days * DAY, alert=False)
    assert (
        count_queries(lambda: http.get(url)) == at_one <= CLIENT_PAGE_QUERY_BUDGET
    )  # the whole page, every app's section
    assert "Last 12 months" in http.get(url).content.decode()


def test_notification_list_and_unread_count_in_the_nav(alice, login, normal_client):
    Notification.objects.create(user=alice, title="Harbour dropped from green to amber", client=normal_client)
    page = login(alice).get(reverse("notification-list")).content.decode()
    assert "Harbour dropped from green to amber" in page
    assert 'aria-label="1 unread"' in page


def test_marking_notifications_read_clears_the_count(alice, login):
    Notification.objects.create(user=alice, title="Something slipped")
    http = login(alice)
    http.post(reverse("notifications-mark-read"))
    assert "unread" not in http.get(reverse("notification-list")).content.decode().split("<main")[0]


def test_nobody_sees_another_persons_notifications(alice, bob, login):
    Notification.objects.create(user=alice, title="For Alice only")
    assert "For Alice only" not in login(bob).get(reverse("notification-list")).content.decode()


@pytest.fixture
def growth_partner(db):
    partner = UserFactory(full_name="Gina Growth")
    growth = Tier.objects.get_or_create(name="Growth", defaults={"rank": 1})[0]
    clients = [ClientFactory(tier=growth, crp=partner) for _ in range(4)]
    Assignment.objects.filter(client=clients[0], role="crp").update(start_date=today() - 6 * 365 * DAY)
    Assignment.objects.create(client=clients[1], user=UserFactory(), role="sam")
    return partner, clients


def test_portfolio_flags_too_many_growth_clients_rotation_and_no_successor(growth_partner, carol, login):
    _, clients = growth_partner
    page = login(carol).get(reverse("health-portfolio")).content.decode()
    assert "Too many growth clients" in page and "Gina Growth (4)" in page
    assert f"{clients[0].name}</a> (6.0 y)" in page
    successor_section = page.split('data-testid="no-successor"')[1].split("</ul>")[0]
    assert clients[0].name in successor_section and clients[1].name not in successor_section


def test_portfolio_shows_fee_retention_and_average_health(growth_partner, carol, login, scorecard):
    _, clients = growth_partner
    FeeRecordFactory(client=clients[0], financial_year=2025, amount=Decimal(100))
    FeeRecordFactory(client=clients[0], financial_year=2026, amount=Decimal(90))
    page = login(carol).get(reverse("health-portfolio")).content.decode()
    assert "90.0%" in page


def test_portfolio_is_not_for_partners(alice, login):
    assert login(alice).get(reverse("health-portfolio")).status_code == 403


def test_portfolio_never_shows_walled_clients_to_bd(carol, login, confidential_client, normal_client):
    page = login(carol).get(reverse("health-portfolio")).content.decode()
    assert confidential_client.name not in page and normal_client.name in page


def test_portfolio_runs_constant_queries(carol, login, count_queries, scorecard):
    http = login(carol)
    client_with_team(sam=UserFactory())
    scores_recompute(alert=False)
    http.get(reverse("health-portfolio"))
    at_one = count_queries(lambda: http.get(reverse("health-portfolio")))
    for _ in range(15):
        client_with_team(sam=UserFactory())
    scores_recompute(alert=False)
    assert count_queries(lambda: http.get(reverse("health-portfolio"))) == at_one <= 12


def scorecard_post(scorecard, **changes):
    data = {
        "green_threshold": "70",
        "amber_threshold": "40",
        "min_coverage": "0.5",
        "measures-TOTAL_FORMS": str(scorecard.measures.count() + 1),  # the rows and the blank new one
        "measures-INITIAL_FORMS": str(scorecard.measures.count()),
    }
    for index, m in enumerate(measures_of(scorecard)):
        data.update(
            {
                f"measures-{index}-key": m.key,
                f"measures-{index}-name": m.name,
                f"measures-{index}-weight": str(m.weight),
                f"measures-{index}-floor": str(m.floor),
                f"measures-{index}-target": str(m.target),
                f"measures-{index}-unit": m.unit,
            }
        )
    data.update(changes)
    return data


def test_admin_adds_an_entered_measure_as_a_new_version(scorecard, ada, login):
    count = scorecard.measures.count()
    data = scorecard_post(
        scorecard,
        **{
            f"measures-{count}-key": "portal_usage",
            f"measures-{count}-name": "Portal usage",
            f"measures-{count}-weight": "5",
            f"measures-{count}-floor": "0",
            f"measures-{count}-target": "20",
        },
    )
    response = login(ada).post(reverse("health-scorecard"), data)
    assert response.status_code == 302
    current = Scorecard.objects.get(is_current=True)
    assert current.version == 2
    assert current.measures.get(key="portal_usage").source == "entered"
    assert scorecard.measures.count() == count  # the old version is untouched


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"measures-0-weight": "-5"}, "Weights cannot be negative"),
        ({"measures-1-floor": "0.5", "measures-1-target": "0.5"}, "The floor and target must differ"),
        ({"green_threshold": "30"}, "amber &lt; green"),
    ],
)
def test_bad_scorecard_edits_are_refused(scorecard, ada, login, changes, message):
    response = login(ada).post(reverse("health-scorecard"), scorecard_post(scorecard, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Scorecard.objects.count() == 1


def test_the_contact_target_is_the_setting_shown_read_only_and_kept_whatever_is_sent(scorecard, ada, login, settings):
    settings.CONTACT_TARGET_PER_YEAR = 14
    http = login(ada)
    page = http.get(reverse("health-scorecard")).content.decode()
    row = page.split('name="measures-0-target"')[1].split("</td>")[0]
    assert 'value="14"' in row and "readonly" in row and "CONTACT_TARGET_PER_YEAR" in row
    assert scorecard.measures.order_by("position").first().key == "contact_frequency"
    response = http.post(reverse("health-scorecard"), scorecard_post(scorecard, **{"measures-0-target": "3"}))
    assert response.status_code == 302
    stored = Scorecard.objects.get(is_current=True).measures.get(key="contact_frequency").target
    assert stored == 14
    api = http.get("/api/health/scorecards/").json()
    assert {m["key"]: m["target"] for m in api[0]["measures"]}["contact_frequency"] == "14.0000"


def test_all_zero_weights_are_refused_on_the_page(scorecard, ada, login):
    zeros = {f"measures-{i}-weight": "0" for i in range(scorecard.measures.count())}
    response = login(ada).post(reverse("health-scorecard"), scorecard_post(scorecard, **zeros))
    assert "At least one measure needs a weight above zero" in response.content.decode()


@pytest.mark.parametrize("who", ["alice", "carol", "mike"])
def test_only_admins_edit_the_scorecard(scorecard, users, login, who):
    assert login(users[who]).get(reverse("health-scorecard")).status_code == 403


def test_recompute_progress_page_shows_the_job(scorecard, ada, login):
    from health.models import RecomputeJob

    job = RecomputeJob.objects.create(as_of=today(), reason="Scorecard v2", total=10, done=4, status="running")
    page = login(ada).get(reverse("health-job", args=[job.pk])).content.decode()
    assert "4 of 10 clients (40%)" in page and 'hx-trigger="every 2s"' in page


def test_import_page_dry_run_then_import(scorecard, carol, login, normal_client):
    http = login(carol)
    text = f"client_id,measure_key,value,measured_on\n{normal_client.pk},client_nps,9,{today()}\n"
    url = reverse("health-measurement-import")
    checked = http.post(url, {"csv": text, "dry_run": "1"}).content.decode()
    assert "1 row is fine" in checked and not Measurement.objects.exists()
    http.post(reverse("health-measurement-import"), {"csv": text})
    assert Measurement.objects.get(client=normal_client).value == 9


def test_import_page_names_the_bad_line_and_saves_nothing(scorecard, carol, login, normal_client):
    text = f"client_id,measure_key,value,measured_on\n{normal_client.pk},client_nps,11,{today()}\n"
    page = login(carol).post(reverse("health-measurement-import"), {"csv": text}).content.decode()
    assert "Nothing was saved" in page and "runs from 0 to 10" in page
    assert not Measurement.objects.exists()


def test_a_measure_that_is_not_a_number_is_a_field_error_and_saves_nothing(scorecard, ada, login):
    data = scorecard_post(scorecard, **{"measures-0-weight": "lots", "min_coverage": ""})
    page = login(ada).post(reverse("health-scorecard"), data).content.decode()
    assert "measures-0-weight: Enter a number." in page
    assert "min_coverage: Enter a number." in page
    assert Scorecard.objects.count() == 1


def test_a_removed_entered_measure_is_left_out_of_the_new_version(scorecard, ada, login):
    index = [m.key for m in measures_of(scorecard)].index("payment_days")
    data = scorecard_post(scorecard, **{f"measures-{index}-DELETE": "on"})
    response = login(ada).post(reverse("health-scorecard"), data)
    assert response.status_code == 302
    current = Scorecard.objects.get(is_current=True)
    assert not current.measures.filter(key="payment_days").exists()
    assert current.measures.count() == scorecard.measures.count() - 1


def test_the_scorecard_page_counts_its_rows_for_the_formset(scorecard, ada, login):
    page = login(ada).get(reverse("health-scorecard")).content.decode()
    rows = scorecard.measures.count()
    assert f'name="measures-TOTAL_FORMS" value="{rows + 1}"' in page
    assert f'name="measures-INITIAL_FORMS" value="{rows}"' in page
    assert f'name="measures-{rows}-key"' in page  # the blank row for a new measure
