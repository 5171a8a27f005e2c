"""`If-Match: *` would switch the lost-update check off: every versioned API resource refuses it (428).

The versioned resources are discovered from the API router, so a new one without a row maker here fails.
"""

import datetime

import pytest

from accounts.models import Client
from config.urls import api_router
from core.concurrency import VersionedViewSetMixin
from planning.models import (
    AccountPlan,
    Action,
    ChecklistItem,
    ClientReview,
    Guideline,
    Objective,
    Opportunity,
    PanelAppointment,
    Risk,
    Transition,
)
from stakeholders.models import Relationship, Stakeholder
from tests.factories import (
    AccountPlanFactory,
    ActionFactory,
    ClientReviewFactory,
    ObjectiveFactory,
    OpportunityFactory,
    RelationshipFactory,
    RiskFactory,
    StakeholderFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

MAKERS = {
    Client: lambda client, alice: client,
    Stakeholder: lambda client, alice: StakeholderFactory(client=client),
    Relationship: lambda client, alice: RelationshipFactory(stakeholder=StakeholderFactory(client=client), user=alice),
    AccountPlan: lambda client, alice: AccountPlanFactory(client=client, year=2026, status="active"),
    Objective: lambda client, alice: ObjectiveFactory(plan=AccountPlanFactory(client=client, year=2026)),
    Action: lambda client, alice: ActionFactory(plan=AccountPlanFactory(client=client, year=2026), owner=alice),
    Opportunity: lambda client, alice: OpportunityFactory(client=client, owner=alice),
    Risk: lambda client, alice: RiskFactory(client=client, owner=alice),
    ClientReview: lambda client, alice: ClientReviewFactory(client=client),
    Transition: lambda client, alice: Transition.objects.create(
        client=client,
        outgoing=alice,
        incoming=UserFactory(role="partner"),
        reason="rotation",
        overlap_start=datetime.date(2026, 1, 1),
        overlap_end=datetime.date(2026, 3, 31),
    ),
    PanelAppointment: lambda client, alice: PanelAppointment.objects.create(client=client, panel_name="Legal panel"),
    Guideline: lambda client, alice: Guideline.objects.create(
        client=client, category="billing", obligation="Invoice monthly"
    ),
    ChecklistItem: lambda client, alice: ChecklistItem.objects.create(
        client=client, phase="before", text="Meet the GC"
    ),
}


def _model_of(viewset) -> type:
    serializer = viewset.serializer_class or viewset(action="partial_update").get_serializer_class()
    return serializer.Meta.model


def versioned_resources() -> list[tuple[str, type]]:
    found = []
    for prefix, viewset, _ in api_router.registry:
        if issubclass(viewset, VersionedViewSetMixin):
            model = getattr(viewset, "model", None) or _model_of(viewset)
            found.append((prefix, model))
    return found


def test_every_versioned_resource_is_swept():
    resources = versioned_resources()
    assert len(resources) >= 13
    assert {model for _, model in resources} <= set(MAKERS)


@pytest.mark.parametrize(("prefix", "model"), versioned_resources(), ids=[p for p, _ in versioned_resources()])
@pytest.mark.parametrize("header", ["*", 'W/"*"', '"1-999", *'])
def test_if_match_star_is_refused_with_428_and_changes_nothing(prefix, model, header, alice, normal_client, login):
    row = MAKERS[model](normal_client, alice)
    version = model.objects.get(pk=row.pk).version
    http = login(alice)
    response = http.patch(f"/api/{prefix}/{row.pk}/", {}, content_type="application/json", HTTP_IF_MATCH=header)
    assert response.status_code == 428, response.content
    assert "If-Match: * is not accepted" in response.json()["detail"]
    assert model.objects.get(pk=row.pk).version == version
