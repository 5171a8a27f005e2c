from django.urls import path

from accounts import views

urlpatterns = [
    path("", views.home, name="home"),
    path("clients/", views.client_list, name="client-list"),
    path("clients/new/", views.client_create, name="client-create"),
    path("clients/<int:pk>/", views.client_detail, name="client-detail"),
    path("clients/<int:pk>/edit/", views.client_edit, name="client-edit"),
    path("clients/<int:pk>/team/", views.assignment_add, name="assignment-add"),
    path("clients/<int:pk>/fees/", views.fee_set, name="fee-set"),
    path("assignments/<int:pk>/end/", views.assignment_end, name="assignment-end"),
    path("fees/<int:pk>/delete/", views.fee_delete, name="fee-delete"),
]
