"""Id oracles: no filter or related field may answer differently for a hidden id than for a missing one.

List endpoints and their filter parameters, and writable endpoints and their related fields, are
discovered from the URL resolver, the viewsets' filtersets and their serializers, so a new endpoint,
filter or field is swept without editing this file. For each id-taking parameter the sweep sends the
id of the confidential client's object and an id that does not exist, as people outside the wall, and
requires the same status and the same body.

People (firm users) and firm-wide lists (service lines, tiers) are not behind the wall: for a parameter
naming a person the sweep compares someone who is only on the confidential client's team with
someone on no team at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.db.models import Max, Model
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_filters import rest_framework as filters
from django_filters.utils import get_model_field
from rest_framework.relations import ManyRelatedField, RelatedField
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from accounts.access import client_path
from accounts.models import Client, User
from core.concurrency import etag_for
from tests.factories import UserFactory
from tests.security.world import World, build_world

pytestmark = pytest.mark.django_db

OUTSIDERS = ["bob", "carol"]  # a partner outside the wall, and BD


@dataclass(frozen=True)
class Endpoint:
    url_name: str
    viewset: type
    actions: dict


def api_endpoints() -> list[Endpoint]:
    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(
                    pattern.url_patterns, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                )
            elif (
                isinstance(pattern, URLPattern)
                and hasattr(pattern.callback, "cls")
                and getattr(pattern.callback, "actions", None)
                and "format" not in pattern.pattern.regex.groupindex
            ):
                yield Endpoint(f"{namespace}{pattern.name}", pattern.callback.cls, pattern.callback.actions)

    seen: dict[str, Endpoint] = {}
    for endpoint in walk(get_resolver().url_patterns):
        seen.setdefault(endpoint.url_name, endpoint)
    return list(seen.values())


def make_view(endpoint: Endpoint, user: User, action: str, method: str = "get"):
    view = endpoint.viewset()
    view.action_map, view.action, view.format_kwarg, view.kwargs, view.args = endpoint.actions, action, None, {}, ()
    request = Request(getattr(APIRequestFactory(), method)("/"))
    request.user = user
    view.request = request
    return view


def filter_target(model: type[Model], filter_) -> type[Model] | None:
    """The model whose id a filter takes, or None when it takes no id."""
    if isinstance(filter_, filters.ModelChoiceFilter | filters.ModelMultipleChoiceFilter):
        queryset = filter_.queryset
        return getattr(queryset, "model", None)
    if filter_.method is not None and not get_model_field(model, filter_.field_name):
        return None
    field = get_model_field(model, filter_.field_name)
    return field.related_model if field is not None and field.is_relation else None


def id_filters(world: World) -> list[tuple[str, str, type[Model]]]:
    """[(list url, parameter, model of the id)] for every id-taking filter of every list endpoint."""
    found = []
    for endpoint in api_endpoints():
        if endpoint.actions.get("get") != "list":
            continue
        view = make_view(endpoint, world.users["ada"], "list")
        if not hasattr(view, "get_queryset"):  # a plain ViewSet: no filterset to discover
            continue
        queryset = view.get_queryset()
        for backend in view.filter_backends:
            if not hasattr(backend, "get_filterset_class"):
                continue
            filterset = backend().get_filterset_class(view, queryset)
            if filterset is None:
                continue
            for name, filter_ in filterset.base_filters.items():
                target = filter_target(filterset._meta.model or queryset.model, filter_)
                if target is not None:
                    found.append((reverse(endpoint.url_name), name, target))
    return found


@dataclass
class Ids:
    hidden: int
    blank: int  # an id that reads as "nothing there" without any wall: missing, or a person with no team


def ids_for(world: World, target: type[Model]) -> Ids | None:
    """The pair of ids to compare for a parameter naming `target`; None for firm-wide data."""
    if target is User:
        walled_only = world.obj("assignment", True).user  # on the confidential client's team, nowhere else
        return Ids(hidden=walled_only.pk, blank=UserFactory(full_name="Nobody Anywhere").pk)
    if client_path(target) is None:
        return None
    hidden = (
        world.client(True)
        if target is Client
        else next((obj for (kind, flag), obj in world.objects.items() if flag and type(obj) is target), None)
    )
    assert hidden is not None, f"add a confidential {target.__name__} to tests/security/world.py"
    missing = (target.objects.aggregate(top=Max("pk"))["top"] or 0) + 100_000
    return Ids(hidden=hidden.pk, blank=missing)


@pytest.fixture
def world(db) -> World:
    return build_world()


def test_every_id_filter_answers_a_hidden_id_like_a_missing_one(world):
    swept, oracles = 0, []
    for path, param, target in id_filters(world):
        ids = ids_for(world, target)
        if ids is None:
            continue
        for role in OUTSIDERS:
            http = HttpClient()
            http.force_login(world.users[role])
            hidden = http.get(path, {param: ids.hidden})
            blank = http.get(path, {param: ids.blank})
            swept += 1
            if (hidden.status_code, hidden.content) != (blank.status_code, blank.content):
                oracles.append(
                    f"{path}?{param}= as {role}: hidden {hidden.status_code} {hidden.content[:120]!r} "
                    f"vs none {blank.status_code} {blank.content[:120]!r}"
                )
    print(f"\nid filters: {len(id_filters(world))} parameters, {swept} comparisons, {len(oracles)} oracles")
    assert swept > 40
    assert oracles == [], "\n".join(oracles)


def test_the_filter_sweep_tells_the_difference_for_someone_inside_the_wall(world):
    """The comparison is live: alice, on the confidential team, gets rows for the hidden id."""
    http = HttpClient()
    http.force_login(world.users["alice"])
    differing = 0
    for path, param, target in id_filters(world):
        ids = ids_for(world, target)
        if ids is not None and target is not User:
            differing += http.get(path, {param: ids.hidden}).content != http.get(path, {param: ids.blank}).content
    assert differing > 20


def test_fees_filtered_by_a_hidden_client_are_refused_like_a_missing_client(world, login):
    http = login(world.users["carol"])
    hidden = http.get("/api/fees/", {"client": world.client(True).pk})
    missing = http.get("/api/fees/", {"client": 999_999})
    assert hidden.status_code == missing.status_code == 400
    assert hidden.content == missing.content


# --- writes ------------------------------------------------------------------------------------


def related_write_fields(serializer) -> list[tuple[str, type[Model], bool]]:
    """[(field, model of the id, takes a list)] for every writable field that names another row."""
    meta_model = getattr(getattr(serializer, "Meta", None), "model", None)
    found = []
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        if isinstance(field, ManyRelatedField):
            found.append((name, field.child_relation.queryset.model, True))
        elif isinstance(field, RelatedField) and field.queryset is not None:
            found.append((name, field.queryset.model, False))
        elif meta_model is not None and field.source.endswith("_id"):
            model_field = get_model_field(meta_model, field.source)
            if model_field is not None and model_field.is_relation:
                found.append((name, model_field.related_model, False))
    return found


def write_targets(world: World) -> list[tuple[str, str, str, type[Model], bool]]:
    """[(method, url, field, model, many)] for every create and partial update of the API."""
    found = []
    for endpoint in api_endpoints():
        for method, action in endpoint.actions.items():
            if (method, action) not in {("post", "create"), ("patch", "partial_update")}:
                continue
            view = make_view(endpoint, world.users["ada"], action, method)
            serializer = view.get_serializer_class()(context={"request": view.request})
            if action == "create":
                url = reverse(endpoint.url_name)
            else:
                model = view.get_queryset().model
                open_row = (
                    world.client(False)
                    if model is Client
                    else next(
                        (obj for (kind, flag), obj in world.objects.items() if not flag and type(obj) is model), None
                    )
                )
                assert open_row is not None, f"add an open {model.__name__} to tests/security/world.py"
                url = reverse(endpoint.url_name, kwargs={"pk": open_row.pk})
            for name, target, many in related_write_fields(serializer):
                found.append((method, url, name, target, many))
    return found


def send(http: HttpClient, method: str, url: str, body: dict):
    headers = {}
    if method == "patch":
        row = http.get(url)
        headers["HTTP_IF_MATCH"] = row.get("ETag", "")
    return getattr(http, method)(url, json.dumps(body), content_type="application/json", **headers)


def test_every_related_write_field_answers_a_hidden_id_like_a_missing_one(world):
    swept, oracles = 0, []
    for method, url, field, target, many in write_targets(world):
        ids = ids_for(world, target)
        if ids is None:
            continue
        for role in OUTSIDERS:
            http = HttpClient()
            http.force_login(world.users[role])
            hidden = send(http, method, url, {field: [ids.hidden] if many else ids.hidden})
            blank = send(http, method, url, {field: [ids.blank] if many else ids.blank})
            swept += 1
            same = hidden.status_code == blank.status_code and (
                hidden.status_code < 300 or hidden.content == blank.content
            )  # a saved row differs by its version
            if not same:
                oracles.append(
                    f"{method.upper()} {url} {{{field}}} as {role}: hidden {hidden.status_code} "
                    f"{hidden.content[:150]!r} vs none {blank.status_code} {blank.content[:150]!r}"
                )
    print(f"\nwrite fields: {len(write_targets(world))} fields, {swept} comparisons, {len(oracles)} oracles")
    assert swept > 40
    assert oracles == [], "\n".join(oracles)


def test_patching_an_objective_onto_a_hidden_plan_is_refused_like_a_missing_plan(world, login):
    http = login(world.users["carol"])
    objective = world.obj("objective", False)
    url = f"/api/objectives/{objective.pk}/"
    hidden = http.patch(
        url, {"plan": world.obj("plan", True).pk}, content_type="application/json", HTTP_IF_MATCH=etag_for(objective)
    )
    missing = http.patch(url, {"plan": 999_999}, content_type="application/json", HTTP_IF_MATCH=etag_for(objective))
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json() == missing.json() == {"plan": ["No such account plan."]}


def test_starting_a_plan_for_a_hidden_client_is_refused_like_a_missing_client(world, login):
    http = login(world.users["carol"])
    url = "/api/plans/start-from-last-year/"
    hidden = http.post(url, {"client": world.client(True).pk, "year": 2030}, content_type="application/json")
    missing = http.post(url, {"client": 999_999, "year": 2030}, content_type="application/json")
    assert hidden.status_code == missing.status_code == 400
    assert hidden.content == missing.content
