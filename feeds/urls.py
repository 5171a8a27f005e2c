from django.urls import path

from feeds import views

urlpatterns = [
    path("clients/<int:pk>/group/", views.group_detail, name="client-group"),
    path("feeds/", views.feed_list, name="feed-list"),
    path("feeds/<int:pk>/", views.feed_run_detail, name="feed-run-detail"),
    path("feeds/<int:pk>/import/", views.feed_run_import, name="feed-run-import"),
    path("feeds/<int:pk>/retry/", views.feed_run_retry, name="feed-run-retry"),
    path("feeds/<int:pk>/conflicts/<int:index>/take/", views.feed_conflict_take, name="feed-conflict-take"),
]
