"""The plan-entity registry: one description per entity, read by forms, serializers, services and views."""

import pytest
from django.urls import reverse

from planning import services
from planning.api import routes
from planning.choices import bounds
from planning.entities import ENTITIES, SECTIONS
from planning.forms import PlanCreateForm, RiskForm
from planning.models import AccountPlan, Opportunity, Risk

ROW_ENTITIES = [entity for entity in ENTITIES.values() if entity.section]


def test_ten_entities_and_nine_plan_page_sections():
    assert len(ENTITIES) == 10
    assert set(SECTIONS) == {
        "objective",
        "action",
        "opportunity",
        "risk",
        "review",
        "transition",
        "panel",
        "guideline",
        "checklist",
    }


@pytest.mark.parametrize("entity", ENTITIES.values(), ids=list(ENTITIES))
def test_services_are_the_entity_s_own(entity):
    assert entity.create is getattr(services, f"{entity.name}_create")
    assert entity.update is getattr(services, f"{entity.name}_update")
    assert entity.delete is getattr(services, f"{entity.name}_delete", None)


@pytest.mark.parametrize("entity", ENTITIES.values(), ids=list(ENTITIES))
def test_form_and_serializer_edit_the_model_s_editable_fields(entity):
    assert entity.form._meta.model is entity.model
    assert list(entity.form.base_fields) == [*entity.fields, "version"]
    assert entity.serializer.Meta.model is entity.model
    writable = [
        name
        for name, field in entity.serializer().fields.items()
        if not field.read_only and name not in {"client", "plan", "year"}
    ]
    assert writable == entity.fields


def test_every_api_route_reads_its_entity():
    entities = {viewset.entity.name for _, viewset, _ in routes}
    assert entities == set(ENTITIES)


def test_bounds_come_from_the_model_field_validators():
    assert bounds(Risk, "likelihood") == {"min_value": 1, "max_value": 5}
    assert bounds(Risk, "impact") == {"min_value": 1, "max_value": 5}
    assert bounds(Opportunity, "probability") == {"min_value": 0, "max_value": 100}
    assert bounds(AccountPlan, "year") == {"min_value": 2000, "max_value": 2100}


def test_form_and_serializer_ranges_are_the_model_s(plan):
    for name in ("likelihood", "impact"):
        widget = RiskForm(plan=plan).fields[name].widget
        assert (widget.attrs["min"], widget.attrs["max"]) == (1, 5)
    serializer_field = ENTITIES["risk"].serializer().fields["impact"]
    assert (serializer_field.min_value, serializer_field.max_value) == (1, 5)
    probability = ENTITIES["opportunity"].serializer().fields["probability"]
    assert (probability.min_value, probability.max_value) == (0, 100)
    year = PlanCreateForm.base_fields["year"]
    assert (year.min_value, year.max_value) == (2000, 2100)


@pytest.mark.django_db
@pytest.mark.parametrize("entity", ROW_ENTITIES, ids=[e.section for e in ROW_ENTITIES])
def test_each_section_s_add_form_opens(entity, client, alice, plan):
    client.force_login(alice)
    response = client.get(reverse("plan-row-add", args=[plan.pk, entity.section]))
    assert response.status_code == 200
    assert f"Add {entity.label}" in response.text
