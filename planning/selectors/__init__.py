"""Reads for plan pages, My actions, pipeline, heat-maps and review cadence: constant queries."""

from planning.selectors.page import PlanPage, last_change, plan_history, plan_page
from planning.selectors.portfolio import (
    client_panel,
    my_actions,
    my_planned_reviews,
    my_upcoming_client_dates,
    overdue_reviews,
    pipeline_by_client,
    pipeline_total,
    plans_of,
)
from planning.selectors.rows import (
    RETENDER_WARNING_DAYS,
    UPCOMING_DATE_DAYS,
    HeatMap,
    Pipeline,
    UpcomingDate,
    actions_with_names,
    plan_for_page,
    plans_of_client,
    review_due,
    reviews_with_names,
    upcoming_panel_dates,
)

__all__ = [
    "RETENDER_WARNING_DAYS",
    "UPCOMING_DATE_DAYS",
    "HeatMap",
    "Pipeline",
    "PlanPage",
    "UpcomingDate",
    "actions_with_names",
    "client_panel",
    "last_change",
    "my_actions",
    "my_planned_reviews",
    "my_upcoming_client_dates",
    "overdue_reviews",
    "pipeline_by_client",
    "pipeline_total",
    "plan_for_page",
    "plan_history",
    "plan_page",
    "plans_of",
    "plans_of_client",
    "review_due",
    "reviews_with_names",
    "upcoming_panel_dates",
]
