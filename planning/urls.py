from django.urls import path

from planning import views

urlpatterns = [
    path("plans/<int:pk>/", views.plan_detail, name="plan-detail"),
    path("plans/<int:pk>/summary/", views.plan_summary, name="plan-summary"),
    path(
        "plans/<int:pk>/summary/edit/",
        views.plan_summary,
        {"mode": "edit"},
        name="plan-summary-edit",
    ),
    path("plans/<int:pk>/history/", views.plan_history, name="plan-history"),
    path("plans/<int:pk>/<str:change>/", views.plan_status, name="plan-status"),
    path("plans/<int:pk>/actions/<int:item>/done/", views.action_done, name="plan-action-done"),
    path(
        "plans/<int:pk>/checklist/<int:item>/toggle/",
        views.checklist_toggle,
        name="plan-checklist-toggle",
    ),
    path(
        "plans/<int:pk>/transitions/<int:item>/<str:change>/",
        views.transition_finish,
        name="plan-transition-finish",
    ),
    path("plans/<int:pk>/rows/<str:kind>/add/", views.row_add, name="plan-row-add"),
    path("plans/<int:pk>/rows/<str:kind>/<int:item>/", views.row_show, name="plan-row"),
    path("plans/<int:pk>/rows/<str:kind>/<int:item>/edit/", views.row_edit, name="plan-row-edit"),
    path(
        "plans/<int:pk>/rows/<str:kind>/<int:item>/delete/",
        views.row_delete,
        name="plan-row-delete",
    ),
    path("clients/<int:pk>/plans/", views.client_plans, name="client-plans"),
    path("clients/<int:pk>/plans/new/", views.plan_create, name="plan-create"),
    path("clients/<int:pk>/handover/", views.crp_handover, name="crp-handover"),
    path("my/actions/", views.my_actions, name="my-actions"),
    path("my/calendar/regenerate/", views.calendar_regenerate, name="calendar-regenerate"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
]
