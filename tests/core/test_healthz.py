"""`/healthz` answers a container's probe without a login, and says which dependency is down."""

import pytest
from django.test import Client as HttpClient


@pytest.mark.django_db
def test_healthz_answers_ok_without_login_over_plain_http_from_any_host(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["keyline.example.com"]
    response = HttpClient(HTTP_HOST="10.0.0.7:8000").get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_healthz_says_redis_is_unreachable(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = HttpClient().get("/healthz")
    assert response.status_code == 503 and response.json() == {"status": "unavailable", "failing": ["redis"]}


@pytest.mark.django_db
def test_healthz_checks_redis_when_it_is_up(settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    assert HttpClient().get("/healthz").status_code == 200


@pytest.mark.django_db
def test_other_paths_still_need_the_right_host_and_a_login(settings):
    settings.ALLOWED_HOSTS = ["keyline.example.com"]
    assert HttpClient(HTTP_HOST="10.0.0.7:8000").get("/healthz/x").status_code == 400
