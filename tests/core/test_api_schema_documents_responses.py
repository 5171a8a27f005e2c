"""The OpenAPI schema names every field the API answers with: read a real response beside its schema."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from accounts.models import Notification
from accounts.selectors import last_complete_financial_year
from tests.factories import (
    AccountPlanFactory,
    ActionFactory,
    ClientFactory,
    ClientReviewFactory,
    FeeRecordFactory,
    HealthScoreFactory,
    InteractionFactory,
    OpportunityFactory,
    RelationshipFactory,
    ServiceLineFactory,
    StakeholderFactory,
)

pytestmark = pytest.mark.django_db

JSON_TYPES = {"integer": int, "number": (int, float), "string": str, "boolean": bool, "array": list, "object": dict}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator(title="Keyline API").get_schema(request=None, public=True)


def response_schema(schema, path):
    return schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]


def resolve(schema, node):
    while True:
        if "$ref" in node:
            node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
        elif "allOf" in node and len(node["allOf"]) == 1:
            node = node["allOf"][0]
        else:
            return node


def undocumented(schema, node, value, where="body"):
    """Where `value` carries something its schema `node` does not describe: a key, a type, a bare object."""
    node = resolve(schema, node)
    if value is None:
        return [] if node.get("nullable") else [f"{where}: null, not declared nullable"]
    expected = JSON_TYPES.get(node.get("type"))
    if expected is None or not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        return [f"{where}: {type(value).__name__} where the schema says {node.get('type')}"]
    problems = []
    if isinstance(value, dict):
        properties = node.get("properties")
        if properties is None:
            return [f"{where}: an object whose fields the schema does not name"]
        for key, item in value.items():
            if key in properties:
                problems += undocumented(schema, properties[key], item, f"{where}.{key}")
            else:
                problems.append(f"{where}.{key}: not in the schema")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            problems += undocumented(schema, node["items"], item, f"{where}[{index}]")
    return problems


@pytest.fixture
def firm(alice, normal_client, score_history):
    """Alice's client with fees, pipeline, plan actions, a review, an alert and a coverage gap."""
    today = timezone.localdate()
    line = ServiceLineFactory()
    year = last_complete_financial_year()
    FeeRecordFactory(client=normal_client, service_line=line, financial_year=year, amount=Decimal("1000"))
    FeeRecordFactory(client=normal_client, service_line=line, financial_year=year - 1, amount=Decimal("800"))
    OpportunityFactory(client=normal_client, service_line=line, owner=alice)
    plan = AccountPlanFactory(client=normal_client, year=today.year)
    ActionFactory(plan=plan, owner=alice, due_date=today - datetime.timedelta(days=3))
    ActionFactory(plan=plan, owner=alice, due_date=today + datetime.timedelta(days=3))
    ClientReviewFactory(client=normal_client, planned_date=today + datetime.timedelta(days=10))
    Notification.objects.create(user=alice, title="Harbour Energy turned red", url="/clients/")
    StakeholderFactory(client=normal_client, seniority="board", buying_role="decision_maker")
    return normal_client


@pytest.fixture
def score_history(normal_client):
    today = timezone.localdate()
    HealthScoreFactory(client=normal_client, score=Decimal("70"), band="green", as_of=today - datetime.timedelta(100))
    HealthScoreFactory(client=normal_client, score=Decimal("45"), band="amber", as_of=today)
    # A client without scores or fees: its nulls must be declared too.
    ClientFactory(name="Unscored Holdings")


@pytest.mark.parametrize(
    ("path", "url", "who"),
    [
        ("/api/dashboard/", "/api/dashboard/?mine=0", "mike"),
        ("/api/dashboard/charts/", "/api/dashboard/charts/?mine=0", "mike"),
        ("/api/dashboard/whitespace/", "/api/dashboard/whitespace/?mine=0", "mike"),
        ("/api/dashboard/overview/", "/api/dashboard/overview/", "mike"),
        ("/api/dashboard/home/", "/api/dashboard/home/", "alice"),
    ],
)
def test_the_schema_names_every_field_of_the_dashboard_answers(schema, firm, users, login, path, url, who, request):
    body = login(request.getfixturevalue(who)).get(url).json()
    assert undocumented(schema, response_schema(schema, path), body) == []


def test_the_home_answer_is_filled_by_the_fixture(firm, alice, login):
    body = login(alice).get("/api/dashboard/home/").json()
    assert all(body[key] for key in body), body  # else the schema test above would check empty lists only


def test_overview_answers_its_figures_unchanged_in_shape(firm, mike, login):
    body = login(mike).get("/api/dashboard/overview/").json()
    assert list(body) == [
        "clients",
        "quarter_start",
        "bands",
        "fees_last_fy",
        "fees_previous_fy",
        "fee_growth",
        "pipeline_sourced",
        "pipeline_influenced",
        "no_contact_90_days",
        "reviews_overdue",
        "clients_with_overdue_actions",
        "crp_flags",
    ]
    assert body["clients"] == 2
    assert body["fees_last_fy"] == 1000.0
    assert body["fees_previous_fy"] == 800.0
    assert body["fee_growth"] == 25.0
    assert {band["band"]: band["share"] for band in body["bands"]}["amber"] == 50.0


def test_the_schema_names_every_field_of_a_personal_data_export(schema, alice, normal_client, login):
    person = StakeholderFactory(client=normal_client, reports_to=StakeholderFactory(client=normal_client))
    RelationshipFactory(stakeholder=person, user=alice, strength=4)
    InteractionFactory(client=normal_client, firm_attendees=[alice]).stakeholders.add(person)
    body = login(alice).get(f"/api/stakeholders/{person.pk}/personal-data/").json()
    assert body["relationships"] and body["interactions"]
    assert undocumented(schema, response_schema(schema, "/api/stakeholders/{id}/personal-data/"), body) == []


def test_no_answer_of_the_api_is_a_bare_object(schema):
    bare = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for code, answer in operation.get("responses", {}).items():
                for content in (answer.get("content") or {}).values():
                    node = resolve(schema, content.get("schema", {}))
                    if node.get("type") == "object" and "properties" not in node:
                        bare.append(f"{method.upper()} {path} {code}")
    assert bare == []
