import datetime

import pytest

from accounts.models import Role
from stakeholders import selectors
from stakeholders.models import Stakeholder
from tests.dates import today
from tests.factories import InteractionFactory, RelationshipFactory, StakeholderFactory, UserFactory

pytestmark = pytest.mark.django_db


def days_ago(n: int) -> datetime.date:
    return today() - datetime.timedelta(days=n)


def meet(client, people, attendees, when):
    interaction = InteractionFactory(client=client, firm_attendees=attendees, date=when)
    interaction.stakeholders.set(people)
    return interaction


def gap_kinds(client, person):
    people = selectors.client_stakeholders(client)
    return {gap.kind for gap in selectors.coverage_gaps(people) if gap.stakeholder.pk == person.pk}


def test_org_chart_nests_reports_under_their_managers_to_full_depth(normal_client, ceo):
    cfo = StakeholderFactory(client=normal_client, reports_to=ceo, name="Cfo")
    controller = StakeholderFactory(client=normal_client, reports_to=cfo, name="Controller")
    StakeholderFactory(client=normal_client, reports_to=controller, name="Analyst")
    chart = selectors.build_org_chart(selectors.client_stakeholders(normal_client))
    assert [node.stakeholder for node in chart.roots] == [ceo]
    assert chart.depth == 4
    assert chart.roots[0].children[0].children[0].children[0].stakeholder.name == "Analyst"


def test_org_chart_puts_people_without_a_manager_at_the_top(normal_client, ceo):
    orphan = StakeholderFactory(client=normal_client, name="Olga Orphan", seniority="middle")
    chart = selectors.build_org_chart(selectors.client_stakeholders(normal_client))
    assert {node.stakeholder for node in chart.roots} == {ceo, orphan}
    assert chart.roots[0].stakeholder == ceo  # more senior first


def test_org_chart_survives_a_loop_in_stored_data(normal_client):
    a = StakeholderFactory(client=normal_client, name="A")
    b = StakeholderFactory(client=normal_client, name="B", reports_to=a)
    Stakeholder.objects.filter(pk=a.pk).update(reports_to=b)
    chart = selectors.build_org_chart(selectors.client_stakeholders(normal_client))
    assert chart.count == 2
    assert sum(root.size for root in chart.roots) == 2


def test_decision_maker_without_strong_relationship_is_a_gap(normal_client, ceo, alice):
    RelationshipFactory(stakeholder=ceo, user=alice, strength=2)
    assert selectors.GapKind.NO_STRONG_RELATIONSHIP in gap_kinds(normal_client, ceo)
    RelationshipFactory(stakeholder=ceo, user=UserFactory(), strength=3)
    assert selectors.GapKind.NO_STRONG_RELATIONSHIP not in gap_kinds(normal_client, ceo)


def test_senior_person_not_met_in_90_days_is_a_gap(normal_client, ceo, alice):
    meet(normal_client, [ceo], [alice], days_ago(91))
    assert selectors.GapKind.NOT_CONTACTED in gap_kinds(normal_client, ceo)
    meet(normal_client, [ceo], [alice], days_ago(10))
    assert selectors.GapKind.NOT_CONTACTED not in gap_kinds(normal_client, ceo)


def test_senior_person_known_by_one_firm_person_is_single_threaded(normal_client, ceo, alice):
    RelationshipFactory(stakeholder=ceo, user=alice, strength=5)
    assert selectors.GapKind.SINGLE_THREADED in gap_kinds(normal_client, ceo)
    RelationshipFactory(stakeholder=ceo, user=UserFactory(), strength=2)
    assert selectors.GapKind.SINGLE_THREADED not in gap_kinds(normal_client, ceo)


def test_board_member_known_only_by_junior_people_is_a_mismatch(normal_client, alice):
    chair = StakeholderFactory(client=normal_client, seniority="board", name="Chair")
    RelationshipFactory(stakeholder=chair, user=UserFactory(role=Role.BD), strength=4)
    assert selectors.GapKind.SENIORITY_MISMATCH in gap_kinds(normal_client, chair)
    RelationshipFactory(stakeholder=chair, user=alice, strength=2)
    assert selectors.GapKind.SENIORITY_MISMATCH not in gap_kinds(normal_client, chair)


@pytest.mark.parametrize("role", ["gatekeeper", "blocker"])
def test_gatekeeper_or_blocker_with_negative_attitude_is_a_gap(normal_client, role):
    person = StakeholderFactory(client=normal_client, buying_role=role, attitude=-1, seniority="middle")
    assert gap_kinds(normal_client, person) == {selectors.GapKind.HOSTILE_GATEKEEPER}
    Stakeholder.objects.filter(pk=person.pk).update(attitude=0)
    assert gap_kinds(normal_client, person) == set()


def test_people_who_left_the_client_raise_no_gaps(normal_client, ceo):
    Stakeholder.objects.filter(pk=ceo.pk).update(status="left")
    assert selectors.coverage_gaps(selectors.client_stakeholders(normal_client)) == []


def test_stale_trusted_adviser_shows_low_engagement(normal_client, ceo, alice):
    fresh_partner = UserFactory()
    RelationshipFactory(stakeholder=ceo, user=alice, strength=5)
    RelationshipFactory(stakeholder=ceo, user=fresh_partner, strength=2)
    meet(normal_client, [ceo], [alice], days_ago(700))
    for n in range(6):
        meet(normal_client, [ceo], [fresh_partner], days_ago(30 * n + 1))
    people = selectors.client_stakeholders(normal_client)
    selectors.attach_engagement(people, selectors.engagement_by_pair(normal_client))
    rels = {rel.user_id: rel for rel in people[0].rels}
    assert rels[alice.pk].is_stale
    assert rels[alice.pk].engagement.figure < 0.1
    assert rels[fresh_partner.pk].engagement.figure > 3


def test_contact_frequency_counts_the_trailing_twelve_months(normal_client, alice):
    for n in [5, 100, 364, 366]:
        InteractionFactory(client=normal_client, firm_attendees=[alice], date=days_ago(n))
    freq = selectors.contact_frequency(normal_client)
    assert freq.count == 3
    assert not freq.on_target


def test_timeline_filters_by_type_person_stakeholder_and_dates(normal_client, ceo, alice):
    bob_like = UserFactory()
    target = meet(normal_client, [ceo], [alice], days_ago(3))
    meet(normal_client, [], [alice], days_ago(3))
    meet(normal_client, [ceo], [bob_like], days_ago(40))
    filters = selectors.TimelineFilters(
        kind="meeting",
        user_id=alice.pk,
        stakeholder_id=ceo.pk,
        date_from=days_ago(10),
        date_to=today(),
    )
    assert list(selectors.timeline(normal_client, filters)) == [target]


def test_coverage_matrix_shows_who_carries_each_stakeholder(normal_client, ceo, alice):
    other = StakeholderFactory(client=normal_client)
    RelationshipFactory(stakeholder=ceo, user=alice, strength=4, target_strength=5)
    RelationshipFactory(stakeholder=other, user=alice, strength=2)
    matrix = selectors.coverage_matrix(selectors.client_stakeholders(normal_client))
    assert matrix.people == [alice]
    assert matrix.load == [2]
    assert matrix.rows[0]["cells"][0].target_strength == 5


def test_attendee_choices_are_the_team_and_people_who_know_someone_there_once_each(normal_client):
    from tests.factories import AssignmentFactory, ClientFactory

    member = UserFactory(full_name="Tess Team")
    AssignmentFactory(client=normal_client, user=member)
    former = UserFactory(full_name="Fred Former")
    AssignmentFactory(client=normal_client, user=former, end_date=days_ago(30))
    contact = UserFactory(full_name="Connie Contact")
    for _ in range(3):  # three relationships there: still one choice
        RelationshipFactory(stakeholder=StakeholderFactory(client=normal_client), user=contact)
    AssignmentFactory(client=normal_client, user=contact)
    RelationshipFactory(stakeholder=StakeholderFactory(client=ClientFactory()), user=former)
    gone = UserFactory(full_name="Gina Gone", is_active=False)
    AssignmentFactory(client=normal_client, user=gone)
    logger = UserFactory(full_name="Larry Logger")

    names = list(selectors.firm_people_of(normal_client, also=logger).values_list("full_name", flat=True))
    assert names.count("Connie Contact") == 1
    assert {"Tess Team", "Connie Contact", "Larry Logger"} <= set(names)
    assert "Fred Former" not in names and "Gina Gone" not in names
    assert "Larry Logger" not in selectors.firm_people_of(normal_client).values_list("full_name", flat=True)
