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
PUBLIC = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_complete",
    "password_reset_confirm",
    "calendar-feed",
    "survey-respond",
    "survey-unsubscribe",
    "scim-config",
    "scim-users",
    "scim-user",
    "scim-groups",
    "scim-group",
    "oidc-start",
    "oidc-callback",
    "saml-start",
    "saml-acs",
    "saml-metadata",
}  # the feed: its secret token; survey links: their signed token; SCIM: its bearer token; single sign-on
# is how one signs in (tests/identity)
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
                yield Route(
                    f"{namespace}{pattern.name}", prefix + str(pattern.pattern), tuple(pattern.pattern.regex.groupindex)
                )

    routes = {}
    for route in walk(get_resolver().url_patterns):
        if route.route.startswith(SKIPPED_PREFIXES) or "format" in route.params:
            continue
        routes.setdefault((route.name, route.route), route)
    return list(routes.values())


# How to fill each parametrised URL: name -> function(world, confidential, role) -> kwargs.
Filler = Callable[[World, bool, str], dict]


def client_pk(world: World, confidential: bool, role: str) -> dict:
    return {"pk": world.client(confidential).pk}


def obj_pk(kind: str) -> Filler:
    return lambda world, confidential, role: {"pk": world.obj(kind, confidential).pk}


def plan_item(kind: str, **extra) -> Filler:
    return lambda world, confidential, role: {
        "pk": world.obj("plan", confidential).pk,
        "item": world.obj(kind, confidential).pk,
        **extra,
    }


def plan_row(kind: str) -> Filler:
    return lambda world, confidential, role: {
        "pk": world.obj("plan", confidential).pk,
        "kind": kind,
        "item": world.obj(kind, confidential).pk,
    }


FILLERS: dict[str, Filler] = {
    "password_reset_confirm": lambda world, confidential, role: {"uidb64": "MQ", "token": "set-password"},
    "calendar-feed": lambda world, confidential, role: {
        "token": world.obj(f"calendar:{role}", False).token if role != "anonymous" else "no-such-token"
    },
    # accounts
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
    "api:service-line-detail": lambda world, confidential, role: {"pk": world.service_line.pk},
    "api:user-detail": lambda world, confidential, role: {"pk": world.users["alice"].pk},
    "api-token-revoke": lambda world, confidential, role: {"pk": world.obj("api_token", False).pk},
    # stakeholders
    "stakeholder-org-chart": client_pk,
    "stakeholder-map": client_pk,
    "stakeholder-gaps": client_pk,
    "stakeholder-matrix": client_pk,
    "stakeholder-create": client_pk,
    "stakeholder-export": client_pk,
    "interaction-timeline": client_pk,
    "interaction-log": client_pk,
    "interaction-export": client_pk,
    "stakeholder-detail": obj_pk("stakeholder"),
    "relationship-set": obj_pk("stakeholder"),
    "stakeholder-merge": obj_pk("stakeholder"),
    "stakeholder-personal-data": obj_pk("stakeholder"),
    "stakeholder-erase": obj_pk("stakeholder"),
    "relationship-remove": obj_pk("relationship"),
    "relationship-primary": obj_pk("relationship"),
    "person-relationships": lambda world, confidential, role: {"pk": world.users["alice"].pk},
    "stakeholder-import-detail": obj_pk("import_job"),
    "client-group": client_pk,
    "feed-run-detail": obj_pk("feed_run"),
    "feed-run-import": obj_pk("feed_run"),
    "feed-run-retry": obj_pk("feed_run"),
    "feed-conflict-take": lambda world, confidential, role: {"pk": world.obj("feed_run", confidential).pk, "index": 0},
    "stakeholder-import-run": obj_pk("import_job"),
    "api:stakeholder-detail": obj_pk("stakeholder"),
    "api:relationship-detail": obj_pk("relationship"),
    "api:interaction-detail": obj_pk("interaction"),
    "api:stakeholder-personal-data": obj_pk("stakeholder"),
    "api:stakeholder-erase": obj_pk("stakeholder"),
    # planning
    "plan-detail": obj_pk("plan"),
    "plan-summary": obj_pk("plan"),
    "plan-summary-edit": obj_pk("plan"),
    "plan-history": obj_pk("plan"),
    "plan-status": lambda world, confidential, role: {"pk": world.obj("plan", confidential).pk, "change": "archive"},
    "plan-action-done": plan_item("action"),
    "plan-checklist-toggle": plan_item("checklist"),
    "plan-transition-finish": plan_item("transition", change="cancel"),
    "plan-row-add": lambda world, confidential, role: {"pk": world.obj("plan", confidential).pk, "kind": "risk"},
    "plan-row": plan_row("risk"),
    "plan-row-edit": plan_row("objective"),
    "plan-row-delete": plan_row("review"),
    "client-plans": client_pk,
    "plan-create": client_pk,
    "api:plan-detail": obj_pk("plan"),
    "api:plan-activate": obj_pk("plan"),
    "api:plan-archive": obj_pk("plan"),
    "api:objective-detail": obj_pk("objective"),
    "api:action-detail": obj_pk("action"),
    "api:action-done": obj_pk("action"),
    "api:opportunity-detail": obj_pk("opportunity"),
    "api:risk-detail": obj_pk("risk"),
    "api:review-detail": obj_pk("review"),
    "api:transition-detail": obj_pk("transition"),
    "api:transition-cancel": obj_pk("transition"),
    "api:transition-complete": obj_pk("transition"),
    "api:panel-detail": obj_pk("panel"),
    "api:guideline-detail": obj_pk("guideline"),
    "api:checklist-item-detail": obj_pk("checklist"),
    # health
    "health-what-if": client_pk,
    "health-job": lambda world, confidential, role: {"pk": world.obj("job", False).pk},
    "api:health-scorecard-detail": lambda world, confidential, role: {"pk": world.obj("scorecard", False).pk},
    "api:health-job-detail": lambda world, confidential, role: {"pk": world.obj("job", False).pk},
    "api:health-measurement-detail": obj_pk("measurement"),
    "api:health-score-detail": obj_pk("score"),
    # reports
    "report-detail": obj_pk("report"),
    "report-download": obj_pk("report"),
    "report-retry": obj_pk("report"),
    "api:report-detail": obj_pk("report"),
    "api:report-download": obj_pk("report"),
    "api:report-retry": obj_pk("report"),
    "saved-view-delete": obj_pk("saved_view"),
    "api:saved-view-detail": obj_pk("saved_view"),
    "dashboard-action-complete": obj_pk("action"),
    "dashboard-alert-read": obj_pk("notification"),
    # listening
    "survey-respond": lambda world, confidential, role: {"token": "not-a-signed-token"},
    "survey-unsubscribe": lambda world, confidential, role: {"token": "not-a-signed-token"},
    "survey-detail": lambda world, confidential, role: {"pk": world.obj("survey", False).pk},
    "survey-recipients": lambda world, confidential, role: {"pk": world.obj("survey", False).pk},
    "survey-send": lambda world, confidential, role: {"pk": world.obj("survey", False).pk},
    "survey-close": lambda world, confidential, role: {"pk": world.obj("survey", False).pk},
    "programme-edit": lambda world, confidential, role: {"pk": world.obj("programme", False).pk},
    "programme-active": lambda world, confidential, role: {"pk": world.obj("programme", False).pk},
    "client-no-surveys": client_pk,
    "incident-create": client_pk,
    "incident-edit": obj_pk("incident"),
    "incident-resolve": obj_pk("incident"),
    "response-flag": obj_pk("survey_response"),
    "follow-up-close": obj_pk("follow_up"),
    # capture
    "capture-item-accept": obj_pk("review_item"),
    "capture-item-dismiss": obj_pk("review_item"),
    "capture-item-file": obj_pk("review_item"),
    "capture-domain-add": client_pk,
    "capture-switch": client_pk,
    "capture-client-log": client_pk,
    "capture-domain-remove": obj_pk("email_domain"),
    "capture-interaction-sentiment": lambda world, confidential, role: {
        "pk": world.client(confidential).pk,
        "interaction": world.obj("interaction", confidential).pk,
    },
    # stewardship
    "stewardship-rotation-decide": client_pk,
    "stewardship-shortlist": client_pk,
    "stewardship-successor": client_pk,
    "stewardship-needs": client_pk,
    "stewardship-scorecard": lambda world, confidential, role: {"pk": world.users["alice"].pk},
    "stewardship-profile": lambda world, confidential, role: {"pk": world.users["alice"].pk},
    "stewardship-credential-add": lambda world, confidential, role: {"pk": world.users["alice"].pk},
    "stewardship-credential-remove": lambda world, confidential, role: {"pk": stewardship_credential(world).pk},
    "stewardship-signal-decide": lambda world, confidential, role: {"pk": stewardship_signal(world).pk},
    # workflow
    "playbook-pause": lambda world, confidential, role: {
        "pk": world.client(confidential).pk,
        "playbook": world.obj("playbook", confidential).pk,
    },
    "playbook-edit": lambda world, confidential, role: {"pk": world.obj("playbook", False).pk},
    "playbook-active": lambda world, confidential, role: {"pk": world.obj("playbook", False).pk},
    "comment-thread": lambda world, confidential, role: {"kind": "plan", "pk": world.obj("plan", confidential).pk},
    "comment-edit": obj_pk("comment"),
    "comment-delete": obj_pk("comment"),
    "document-upload": lambda world, confidential, role: {"kind": "client", "pk": world.client(confidential).pk},
    "document-detail": obj_pk("document"),
    "document-delete": obj_pk("document"),
    "document-download": obj_pk("document_version"),
    "api:comment-detail": obj_pk("comment"),
    "api:document-detail": obj_pk("document"),
    "api:document-download": obj_pk("document"),
    "channel-detail": lambda world, confidential, role: {"pk": world.obj("channel", False).pk},
    "channel-delete": lambda world, confidential, role: {"pk": world.obj("channel", False).pk},
    # audit
    "audit-export": lambda world, confidential, role: {"fmt": "csv"},
    "api:audit-entry-detail": lambda world, confidential, role: {"pk": world.obj("audit_entry", confidential).pk},
    # identity
    "scim-user": lambda world, confidential, role: {"pk": world.users["alice"].pk},
    "scim-group": lambda world, confidential, role: {"pk": 1},
}
# URLs whose objects are not one client's data (filled the same way for both variants).
NOT_CLIENT_SCOPED = {
    "password_reset_confirm",
    "calendar-feed",
    "api:service-line-detail",
    "api:user-detail",
    "person-relationships",
    "health-job",
    "api:health-scorecard-detail",
    "api:health-job-detail",
    "api-token-revoke",
    "survey-respond",
    "survey-unsubscribe",
    "survey-detail",
    "survey-recipients",
    "survey-send",
    "survey-close",
    "programme-edit",
    "programme-active",
    "stewardship-scorecard",
    "stewardship-profile",
    "stewardship-credential-add",
    "stewardship-credential-remove",
    "stewardship-signal-decide",
    "channel-detail",
    "channel-delete",
    "playbook-edit",
    "playbook-active",
    "audit-export",
    "scim-user",
    "scim-group",
}


def stewardship_credential(world: World):
    from stewardship.models import Credential

    return Credential.objects.get_or_create(user=world.users["alice"], name="Sweep credential")[0]


def stewardship_signal(world: World):
    """A signal about a partner's whole portfolio: no client, so the same for both variants."""
    from django.utils import timezone

    from stewardship.models import CrpSignal

    today = timezone.localdate()
    return CrpSignal.objects.get_or_create(
        kind="overloaded", partner=world.users["alice"], client=None, defaults={"first_seen": today, "last_seen": today}
    )[0]


def to_path(route: Route, kwargs: dict) -> str:
    path = route.route
    for name, value in kwargs.items():
        path = re.sub(rf"\(\?P<{name}>[^)]*\)|<(?:\w+:)?{name}>", str(value), path)
    path = path.replace("^", "").replace("$", "").replace("\\", "")
    return "/" + path


def paths_for(route: Route, world: World, role: str = "ada") -> list[tuple[str, bool]]:
    """[(path, is_confidential_variant)]"""
    if not route.params:
        return [(to_path(route, {}), False)]
    filler = FILLERS[route.name]
    variants = [(to_path(route, filler(world, False, role)), False)]
    if route.name not in NOT_CLIENT_SCOPED:
        variants.append((to_path(route, filler(world, True, role)), True))
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
            for path, confidential in paths_for(route, world, role):
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
