from django.urls import path

from accounts import views, views_tokens

urlpatterns = [
    path("", views.home, name="home"),
    path("account/tokens/", views_tokens.api_tokens, name="api-tokens"),
    path("account/tokens/<int:pk>/revoke/", views_tokens.api_token_revoke_view, name="api-token-revoke"),
    path("clients/", views.client_list, name="client-list"),
    path("clients/new/", views.client_create, name="client-create"),
    path("clients/<int:pk>/", views.client_detail, name="client-detail"),
    path("clients/<int:pk>/edit/", views.client_edit, name="client-edit"),
    path("clients/<int:pk>/team/", views.assignment_add, name="assignment-add"),
    path("clients/<int:pk>/fees/", views.fee_set, name="fee-set"),
    path("assignments/<int:pk>/end/", views.assignment_end, name="assignment-end"),
    path("fees/<int:pk>/delete/", views.fee_delete, name="fee-delete"),
]
