from django.urls import path

from listening import public, views

urlpatterns = [
    path("r/<str:token>/", public.respond, name="survey-respond"),
    path("r/<str:token>/unsubscribe/", public.unsubscribe, name="survey-unsubscribe"),
    path("surveys/", views.survey_list, name="survey-list"),
    path("surveys/new/", views.survey_create, name="survey-create"),
    path("surveys/<int:pk>/", views.survey_detail, name="survey-detail"),
    path("surveys/<int:pk>/recipients/", views.survey_recipients, name="survey-recipients"),
    path("surveys/<int:pk>/send/", views.survey_send, name="survey-send"),
    path("surveys/<int:pk>/close/", views.survey_close, name="survey-close"),
    path("surveys/programmes/", views.programme_list, name="programme-list"),
    path("surveys/programmes/new/", views.programme_form, name="programme-create"),
    path("surveys/programmes/<int:pk>/", views.programme_form, name="programme-edit"),
    path("surveys/programmes/<int:pk>/active/", views.programme_active, name="programme-active"),
    path("clients/<int:pk>/no-surveys/", views.client_no_surveys, name="client-no-surveys"),
    path("clients/<int:pk>/incidents/new/", views.incident_create, name="incident-create"),
    path("incidents/<int:pk>/", views.incident_edit, name="incident-edit"),
    path("incidents/<int:pk>/resolve/", views.incident_resolve, name="incident-resolve"),
    path("survey-responses/<int:pk>/flag/", views.response_flag, name="response-flag"),
    path("follow-ups/<int:pk>/close/", views.follow_up_close, name="follow-up-close"),
    path("listening/", views.overview, name="listening-overview"),
]
