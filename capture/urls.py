from django.urls import path

from capture import views

urlpatterns = [
    path("review/", views.review_mine, name="capture-review"),
    path("review/all/", views.review_all, name="capture-review-all"),
    path("review/<int:pk>/accept/", views.item_accept, name="capture-item-accept"),
    path("review/<int:pk>/dismiss/", views.item_dismiss, name="capture-item-dismiss"),
    path("review/<int:pk>/file/", views.item_file, name="capture-item-file"),
    path("clients/<int:pk>/capture/domains/", views.domain_add, name="capture-domain-add"),
    path("clients/<int:pk>/capture/switch/", views.capture_switch, name="capture-switch"),
    path(
        "clients/<int:pk>/interactions/<int:interaction>/sentiment/",
        views.interaction_sentiment,
        name="capture-interaction-sentiment",
    ),
    path("clients/<int:pk>/capture/log/", views.client_log, name="capture-client-log"),
    path("capture/domains/<int:pk>/remove/", views.domain_remove, name="capture-domain-remove"),
    path("capture/upload/", views.upload, name="capture-upload"),
    path("capture/status/", views.status, name="capture-status"),
]
