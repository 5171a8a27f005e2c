"""REST API routes of this app, registered by config.urls."""

from planning.api.views import (
    ActionViewSet,
    ChecklistItemViewSet,
    GuidelineViewSet,
    ObjectiveViewSet,
    OpportunityViewSet,
    PanelViewSet,
    PlanViewSet,
    ReviewViewSet,
    RiskViewSet,
    TransitionViewSet,
)

routes = [
    ("plans", PlanViewSet, "plan"),
    ("objectives", ObjectiveViewSet, "objective"),
    ("actions", ActionViewSet, "action"),
    ("opportunities", OpportunityViewSet, "opportunity"),
    ("risks", RiskViewSet, "risk"),
    ("reviews", ReviewViewSet, "review"),
    ("transitions", TransitionViewSet, "transition"),
    ("panels", PanelViewSet, "panel"),
    ("guidelines", GuidelineViewSet, "guideline"),
    ("checklist-items", ChecklistItemViewSet, "checklist-item"),
]
