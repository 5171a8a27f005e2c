from planning.views.inline import (
    action_done,
    checklist_toggle,
    row_add,
    row_delete,
    row_edit,
    row_show,
)
from planning.views.pages import (
    calendar_feed,
    calendar_regenerate,
    client_plans,
    my_actions,
    plan_create,
    plan_detail,
    plan_history,
    plan_status,
    plan_summary,
    transition_finish,
)

__all__ = [
    "action_done",
    "calendar_feed",
    "calendar_regenerate",
    "checklist_toggle",
    "client_plans",
    "my_actions",
    "plan_create",
    "plan_detail",
    "plan_history",
    "plan_status",
    "plan_summary",
    "row_add",
    "row_delete",
    "row_edit",
    "row_show",
    "transition_finish",
]
