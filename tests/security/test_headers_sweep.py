"""Headers every URL must carry, checked over the authorization sweep's URLs (discovered, not listed):
no response of any page, export, download or API endpoint may be stored by a browser or a proxy, and
the API answers an anonymous caller 401 with a WWW-Authenticate header."""

import pytest

from tests.security.test_authorization_sweep import all_routes, http_for, paths_for
from tests.security.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_world()


def responses(world, role: str):
    http = http_for(world, role)
    for route in all_routes():
        if route.name == "logout":
            continue
        for path, _ in paths_for(route, world):
            yield path, http.get(path)


def test_no_response_of_any_url_may_be_stored(world):
    stored = []
    checked = 0
    for role in ("anonymous", "alice"):
        for path, response in responses(world, role):
            checked += 1
            if "no-store" not in response.get("Cache-Control", ""):
                stored.append(f"GET {path} as {role}: Cache-Control {response.get('Cache-Control')!r}")
    print(f"\nno-store checked on {checked} responses")
    assert stored == []


def test_static_files_stay_cacheable(client):
    # Static files are served before the no-store middleware: it must not reach them.
    from django.conf import settings

    assert settings.MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") < settings.MIDDLEWARE.index(
        "core.middleware.NoStoreMiddleware"
    )


def test_every_api_url_answers_an_anonymous_caller_401_with_www_authenticate(world):
    wrong = []
    for path, response in responses(world, "anonymous"):
        if not path.startswith("/api/"):
            continue
        if response.status_code != 401 or not response.get("WWW-Authenticate", "").startswith("Token"):
            wrong.append(f"GET {path}: {response.status_code} {response.get('WWW-Authenticate')!r}")
    assert wrong == []


def test_a_logged_in_api_caller_without_permission_still_gets_403(login, bob):
    response = login(bob).post("/api/health/scorecards/", {}, content_type="application/json")
    assert response.status_code == 403
