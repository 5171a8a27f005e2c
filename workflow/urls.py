from django.urls import path

from workflow import views

urlpatterns = [
    path("playbooks/", views.playbook_list, name="playbook-list"),
    path("playbooks/new/", views.playbook_edit, name="playbook-create"),
    path("playbooks/<int:pk>/edit/", views.playbook_edit, name="playbook-edit"),
    path("playbooks/<int:pk>/active/", views.playbook_active, name="playbook-active"),
    path("clients/<int:pk>/playbooks/<int:playbook>/pause/", views.playbook_pause, name="playbook-pause"),
    path("comments/<str:kind>/<int:pk>/", views.comment_thread, name="comment-thread"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="comment-edit"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="comment-delete"),
    path("documents/new/<str:kind>/<int:pk>/", views.document_upload, name="document-upload"),
    path("documents/<int:pk>/", views.document_detail, name="document-detail"),
    path("documents/<int:pk>/delete/", views.document_delete, name="document-delete"),
    path("documents/versions/<int:pk>/download/", views.document_download, name="document-download"),
    path("channels/", views.channel_list, name="channel-list"),
    path("channels/<int:pk>/", views.channel_detail, name="channel-detail"),
    path("channels/<int:pk>/delete/", views.channel_delete, name="channel-delete"),
]
