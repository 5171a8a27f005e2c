"""Authorization sweep: every URL of the project × every role, for a normal and a confidential client.

URL patterns come from the resolver, so a new URL that no rule below covers fails the test
(`test_every_url_is_covered`). For each URL the sweep checks that anonymous users are sent to
login (pages) or refused (API), that outsiders get 404 for the confidential client's objects, and
that the confidential client's name never appears in a body served to someone outside its wall.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver

from tests.security.world import World, build_world

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "alice", "bob", "carol", "mike", "ada"]
WALLED_OFF = {"bob", "carol"}  # outside the confidential client's wall
PUBLIC = {"login", "password_reset", "password_reset_done", "password_reset_complete", "password_reset_confirm"}
SKIPPED_PREFIXES = ("admin/",)  # Django admin: staff-only, checked separately below


@dataclass(frozen=True)
class Route:
    name: str
    route: str
    params: tuple[str, ...]


def all_routes() -> list[Route]:
    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                yield Route(f"{namespace}{pattern.name}", prefix + str(pattern.pattern),
                            tuple(pattern.pattern.regex.groupindex))

    routes = {}
    for route in walk(get_resolver().url_patterns):
        if route.route.startswith(SKIPPED_PREFIXES) or "format" in route.params:
            continue
        routes.setdefault((route.name, route.route), route)
    return list(routes.values())


# How to fill each parametrised URL: name -> function(world, confidential: bool) -> kwargs.
Filler = Callable[[World, bool], dict]


def client_pk(world: World, confidential: bool) -> dict:
    return {"pk": world.client(confidential).pk}


def obj_pk(kind: str) -> Filler:
    return lambda world, confidential: {"pk": world.obj(kind, confidential).pk}


FILLERS: dict[str, Filler] = {
    "password_reset_confirm": lambda world, confidential: {"uidb64": "MQ", "token": "set-password"},
    "client-detail": client_pk,
    "client-edit": client_pk,
    "assignment-add": client_pk,
    "crp-handover": client_pk,
    "fee-set": client_pk,
    "assignment-end": obj_pk("assignment"),
    "fee-delete": obj_pk("fee"),
    "api:client-detail": client_pk,
    "api:fee-detail": obj_pk("fee"),
    "api:assignment-detail": obj_pk("assignment"),
    "api:assignment-end": obj_pk("assignment"),
    "api:service-line-detail": lambda world, confidential: {"pk": world.service_line.pk},
    "api:user-detail": lambda world, confidential: {"pk": world.users["alice"].pk},
}
# URLs whose objects are not client data (same for both variants).
NOT_CLIENT_SCOPED = {"password_reset_confirm", "api:service-line-detail", "api:user-detail"}


def to_path(route: Route, kwargs: dict) -> str:
    path = route.route
    for name, value in kwargs.items():
        path = re.sub(rf"\(\?P<{name}>[^)]*\)|<(?:\w+:)?{name}>", str(value), path)
    path = path.replace("^", "").replace("$", "").replace("\\", "")
    return "/" + path


def paths_for(route: Route, world: World) -> list[tuple[str, bool]]:
    """[(path, is_confidential_variant)]"""
    if not route.params:
        return [(to_path(route, {}), False)]
    filler = FILLERS[route.name]
    variants = [(to_path(route, filler(world, False)), False)]
    if route.name not in NOT_CLIENT_SCOPED:
        variants.append((to_path(route, filler(world, True)), True))
    return variants


def http_for(world: World, role: str) -> HttpClient:
    http = HttpClient()
    if role != "anonymous":
        http.force_login(world.users[role])
    return http


def test_every_url_is_covered():
    uncovered = sorted({r.name for r in all_routes() if r.params and r.name not in FILLERS})
    assert uncovered == [], f"add these URL names to FILLERS in {__name__}: {uncovered}"


@pytest.fixture
def world(db) -> World:
    return build_world()


def test_sweep_every_url_as_every_role(world):
    routes = all_routes()
    problems: list[str] = []
    checked = 0
    for role in ROLES:
        http = http_for(world, role)
        for route in routes:
            for path, confidential in paths_for(route, world):
                for method in ("get", "post"):
                    caller = http_for(world, role) if route.name == "logout" else http  # keep the session
                    response = getattr(caller, method)(path)
                    checked += 1
                    problems += judge(route, path, method, role, confidential, response, world)
    print(f"\nauthorization sweep: {len(routes)} URL patterns, {checked} requests")
    assert problems == [], "\n".join(problems)


def judge(route: Route, path: str, method: str, role: str, confidential: bool, response, world: World) -> list[str]:
    where = f"{method.upper()} {path} as {role}"
    status = response.status_code
    problems = []
    if status >= 500:
        problems.append(f"{where}: server error {status}")
    is_api = path.startswith("/api/")
    if role == "anonymous" and route.name not in PUBLIC and not route.name.endswith(("logout",)):
        if is_api:
            if status not in (401, 403):
                problems.append(f"{where}: API answered {status} to an anonymous caller")
        elif not (status == 302 and "/login/" in response.get("Location", "")) and status != 405:
            problems.append(f"{where}: page answered {status} to an anonymous visitor instead of the login")
    if role in WALLED_OFF and confidential and status not in (404, 405):
        problems.append(f"{where}: outsider got {status} for a confidential object (want 404)")
    if role in WALLED_OFF:
        body = b"".join(response.streaming_content) if response.streaming else response.content
        for secret in world.secrets():
            if secret.encode() in body:
                problems.append(f"{where}: body mentions the confidential client ({secret!r})")
    return problems


def test_admin_is_for_administrators_only(world):
    assert http_for(world, "anonymous").get("/admin/").status_code == 302
    for role in ("alice", "bob", "carol", "mike"):
        response = http_for(world, role).get(f"/admin/accounts/client/{world.client(True).pk}/change/")
        assert response.status_code in (302, 403), role
    assert http_for(world, "ada").get("/admin/accounts/client/").status_code == 200


def test_every_state_changing_page_refuses_a_request_without_csrf_token(world):
    """Session-authenticated POSTs without the CSRF token are refused on every URL (pages and API)."""
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(world.users["ada"])
    accepted = []
    for route in all_routes():
        if route.name in PUBLIC or route.name == "logout":
            continue
        for path, _ in paths_for(route, world):
            status = http.post(path).status_code
            if status not in (403, 405):
                accepted.append(f"POST {path} → {status}")
    assert accepted == []


def test_pages_carry_a_content_security_policy_and_safe_headers(world):
    response = http_for(world, "alice").get("/clients/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
