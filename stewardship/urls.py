from django.urls import path

from stewardship import views

urlpatterns = [
    path("stewardship/", views.overview, name="stewardship"),
    path("stewardship/signals/<int:pk>/decide/", views.signal_decide, name="stewardship-signal-decide"),
    path("stewardship/rotation/", views.rotation, name="stewardship-rotation"),
    path("stewardship/rotation/<int:pk>/", views.rotation_decide, name="stewardship-rotation-decide"),
    path("stewardship/succession/", views.succession, name="stewardship-succession"),
    path("stewardship/capacity/", views.capacity, name="stewardship-capacity"),
    path("stewardship/clients/<int:pk>/shortlist/", views.shortlist, name="stewardship-shortlist"),
    path("stewardship/clients/<int:pk>/successor/", views.succession_set, name="stewardship-successor"),
    path("stewardship/clients/<int:pk>/needs/", views.needs_edit, name="stewardship-needs"),
    path("stewardship/partners/<int:pk>/scorecard/", views.scorecard, name="stewardship-scorecard"),
    path("stewardship/partners/<int:pk>/profile/", views.profile, name="stewardship-profile"),
    path("stewardship/partners/<int:pk>/credentials/", views.credential_add, name="stewardship-credential-add"),
    path("stewardship/credentials/<int:pk>/remove/", views.credential_remove, name="stewardship-credential-remove"),
]
