"""Bad input over every URL, discovered rather than listed: absurd page numbers on every page and API
list, and NUL characters and wrong JSON types in every writable field of every API endpoint (its fields
read from the endpoint's own OPTIONS description). Nothing may be a server error; a NUL is always a 400."""

import json

import pytest

from tests.security.test_authorization_sweep import all_routes, http_for, paths_for
from tests.security.world import build_world

pytestmark = pytest.mark.django_db

PAGE_NUMBERS = [
    "99999999999999999999",
    "9223372036854775807",
    "1000001",
    "0",
    "-1",
    "1.5",
    "abc",
    "²",
    "１２３",
    "last",
    "",
]
WRONG_TYPES = [[], {}, [1, 2], {"a": "b"}, True, 1e308, -(2**70), None]
NUL = "bad\x00value"


@pytest.fixture
def world(db):
    return build_world()


def gettable_paths(world, http) -> list[str]:
    paths = []
    for route in all_routes():
        if route.name in ("logout", "password_reset_confirm"):
            continue
        for path, _ in paths_for(route, world):
            if http.get(path).status_code == 200:
                paths.append(path)
    return paths


def test_no_page_number_is_a_server_error_on_any_page_or_api_list(world):
    errors, sent = [], 0
    for role in ("alice",):  # on a team, so every page of a client opens
        http = http_for(world, role)
        for path in gettable_paths(world, http):
            for page in PAGE_NUMBERS:
                response = http.get(path, {"page": page, "size": page, "page_size": page})
                sent += 1
                if response.status_code >= 500:
                    errors.append(f"GET {path}?page={page!r} as {role}: {response.status_code}")
    print(f"\npage-number fuzz: {sent} requests")


def writable_fields(http, path: str) -> dict[str, dict]:
    """{method: {field: description}} of the writes the endpoint describes for this caller."""
    response = http.options(path)
    if response.status_code != 200 or response.get("Content-Type") != "application/json":
        return {}
    return {
        method: {name: info for name, info in fields.items() if not info.get("read_only")}
        for method, fields in response.json().get("actions", {}).items()
    }


def send(http, method: str, path: str, body) -> object:
    headers = {}
    if method in ("PUT", "PATCH"):
        headers["HTTP_IF_MATCH"] = http.get(path).get("ETag", "")
    return getattr(http, method.lower())(path, json.dumps(body), content_type="application/json", **headers)


def test_no_json_body_is_a_server_error_and_a_nul_is_always_a_400(world):
    http = http_for(world, "ada")  # may write everything: every endpoint's fields are described
    errors, sent, endpoints = [], 0, set()
    for route in all_routes():
        for path, confidential in paths_for(route, world):
            if not path.startswith("/api/") or confidential:
                continue
            for method, fields in writable_fields(http, path).items():
                method = "PATCH" if method == "PUT" else method  # one field at a time
                endpoints.add(f"{method} {route.name}")
                for name, info in fields.items():
                    # Create and update read every field; an action such as erase/ may ignore the body.
                    reads_body = route.name.endswith(("-list", "-detail"))
                    is_text = info.get("type") in ("string", "email", "url", "choice", "slug")
                    cases = [(NUL, reads_body), ({name: NUL}, reads_body)] if is_text else []
                    cases += [(value, False) for value in WRONG_TYPES]
                    for value, must_refuse in cases:
                        response = send(http, method, path, {name: value})
                        sent += 1
                        if response.status_code >= 500 or (must_refuse and response.status_code != 400):
                            errors.append(f"{method} {path} {name}={value!r}: {response.status_code}")
    print(f"\nJSON body fuzz: {sent} requests over {len(endpoints)} write endpoints")
    assert endpoints, "no write endpoint was discovered"
