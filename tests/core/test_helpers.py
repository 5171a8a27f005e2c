"""The shared helpers in core: versioned edits, the active-person check, errors on forms, htmx partials,
queueing after commit, the Versioned base and the pager and sort-header includes."""

from contextlib import nullcontext
from types import SimpleNamespace

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.template.loader import render_to_string
from django.test import RequestFactory

from accounts.models import Client
from core.concurrency import StaleVersionError, apply_changes, update_versioned
from core.forms import apply_errors, flash_form_errors
from core.htmx import wants_partial
from core.models import Versioned
from core.queueing import send_task, send_task_on_commit
from core.validators import require_active_person
from stakeholders.models import Relationship, Stakeholder


class NameForm(forms.Form):
    name = forms.CharField(label="Client name")


# --- versioned edits -------------------------------------------------------------------------------


def test_apply_changes_refuses_an_unknown_field_before_setting_anything(normal_client):
    with pytest.raises(ValidationError, match="Unknown client fields: colour"):
        apply_changes(normal_client, {"colour": "red", "notes": "x"}, ["notes"], noun="client")
    assert normal_client.notes != "x"


def test_apply_changes_strips_only_the_named_fields_or_every_text():
    thing = SimpleNamespace()
    apply_changes(thing, {"name": " a ", "notes": " b "}, ["name", "notes"], strip=["name"])
    assert (thing.name, thing.notes) == ("a", " b ")
    apply_changes(thing, {"name": " a ", "notes": " b "}, ["name", "notes"])
    assert (thing.name, thing.notes) == ("a", "b")


def test_update_versioned_saves_and_counts_the_version_up(normal_client):
    loaded = normal_client.version
    update_versioned(
        normal_client, expected_version=loaded, changes={"notes": "Fresh"}, allowed=["notes"], write=transaction.atomic
    )
    stored = Client.objects.get(pk=normal_client.pk)
    assert (stored.notes, stored.version, normal_client.version) == ("Fresh", loaded + 1, loaded + 1)


def test_update_versioned_refuses_a_stale_edit_and_writes_nothing(normal_client):
    stale = normal_client.version
    Client.objects.filter(pk=normal_client.pk).update(version=stale + 1, notes="Theirs")
    with pytest.raises(StaleVersionError) as caught:
        update_versioned(
            normal_client,
            expected_version=stale,
            changes={"notes": "Mine"},
            allowed=["notes"],
            write=transaction.atomic,
        )
    assert caught.value.changed_fields == {"notes": ("Theirs", "Mine")}
    assert Client.objects.get(pk=normal_client.pk).notes == "Theirs"


def test_update_versioned_validates_before_writing_and_runs_then_inside_the_write(normal_client):
    calls = []
    with pytest.raises(ValidationError):
        update_versioned(
            normal_client,
            expected_version=normal_client.version,
            changes={"name": ""},
            allowed=["name"],
            write=transaction.atomic,
            then=lambda: calls.append("then"),
        )
    assert calls == [] and Client.objects.get(pk=normal_client.pk).name == "Harbour Energy plc"

    def validate(client):
        calls.append("validate")

    update_versioned(
        normal_client,
        expected_version=normal_client.version,
        changes={"name": "New name"},
        allowed=["name"],
        write=lambda: nullcontext(calls.append("write")),
        validate=validate,
        then=lambda: calls.append("then"),
    )
    assert calls == ["validate", "write", "then"]


# --- the active-person check -----------------------------------------------------------------------


def test_require_active_person_names_the_field(alice):
    require_active_person(alice, "owner")
    require_active_person(None, "owner", required=False)
    with pytest.raises(ValidationError) as missing:
        require_active_person(None, "owner")
    assert missing.value.message_dict == {"owner": ["Choose a firm person."]}
    alice.is_active = False
    with pytest.raises(ValidationError) as inactive:
        require_active_person(alice, "owner")
    assert inactive.value.message_dict == {"owner": [f"{alice} is not an active firm user."]}


# --- errors on pages -------------------------------------------------------------------------------


def test_apply_errors_puts_field_errors_under_fields_and_the_rest_above_the_form():
    form = NameForm(data={"name": "x"})
    assert form.is_valid()
    apply_errors(form, ValidationError({"name": "Taken.", "elsewhere": "Refused."}))
    assert form.errors == {"name": ["Taken."], "__all__": ["Refused."]}
    plain = NameForm(data={"name": "x"})
    plain.is_valid()
    apply_errors(plain, ValidationError("Not now."))
    assert plain.non_field_errors() == ["Not now."]


def test_flash_form_errors_labels_field_errors_only():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    form = NameForm(data={"name": "x"})
    form.is_valid()
    apply_errors(form, ValidationError({"name": "Taken.", "__all__": "Refused."}))
    flash_form_errors(request, form)
    assert [str(m) for m in get_messages(request)] == ["Client name: Taken.", "Refused."]


# --- htmx partials ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, False),
        ({"HX-Request": "true"}, True),
        ({"HX-Request": "true", "HX-History-Restore-Request": "true"}, False),
    ],
)
def test_wants_partial_skips_history_restore_requests(headers, expected):
    from django_htmx.middleware import HtmxDetails

    request = RequestFactory().get("/", headers=headers)
    request.htmx = HtmxDetails(request)
    assert wants_partial(request) is expected


def test_wants_partial_without_the_middleware_is_false():
    assert wants_partial(RequestFactory().get("/")) is False


# --- queueing --------------------------------------------------------------------------------------


class FakeTask:
    name = "fake"

    def __init__(self, fail=False):
        self.sent, self.fail = [], fail

    def delay(self, *args, **kwargs):
        self.apply_async(args, kwargs)

    def apply_async(self, args, kwargs, **options):
        if self.fail:
            raise ConnectionError("broker down")
        self.sent.append((args, kwargs, options))


def test_send_task_reports_a_broker_outage_instead_of_raising():
    assert send_task(FakeTask(fail=True), 1) is False
    task = FakeTask()
    assert send_task(task, 1, countdown=5) is True
    assert task.sent == [((1,), {}, {"countdown": 5})]


@pytest.mark.django_db
def test_send_task_on_commit_waits_for_the_commit_and_skips_a_rollback(django_capture_on_commit_callbacks):
    task = FakeTask()
    with django_capture_on_commit_callbacks(execute=True):
        send_task_on_commit(task, 7, kind="x")
        assert task.sent == []
    assert task.sent == [((7,), {"kind": "x"}, {})]

    rolled_back = FakeTask()
    with pytest.raises(RuntimeError), transaction.atomic():
        send_task_on_commit(rolled_back, 8)
        raise RuntimeError
    assert rolled_back.sent == []


# --- the Versioned base ----------------------------------------------------------------------------


@pytest.mark.parametrize("model", [Client, Stakeholder, Relationship])
def test_versioned_models_start_at_version_one(model):
    assert issubclass(model, Versioned)
    field = model._meta.get_field("version")
    assert field.default == 1 and not field.null


# --- shared includes -------------------------------------------------------------------------------


def test_pager_links_keep_the_query_and_hide_on_one_page():
    pages = Paginator(range(30), 10)
    html = render_to_string("includes/pager.html", {"page": pages.page(2), "query": "q=a&sort=name", "hx": True})
    assert 'href="?q=a&amp;sort=name&page=1"' in html and 'rel="prev"' in html
    assert 'hx-get="?q=a&amp;sort=name&page=3"' in html and "Page 2 of 3" in html
    bare = render_to_string("includes/pager.html", {"page": pages.page(1), "next_label": "Older"})
    assert 'href="?page=2"' in bare and ">Older<" in bare and "hx-get" not in bare and 'rel="prev"' not in bare
    assert render_to_string("includes/pager.html", {"page": Paginator(range(3), 10).page(1)}).strip() == ""


def test_sort_header_reverses_the_current_sort():
    html = render_to_string(
        "includes/sort_header.html", {"key": "name", "label": "Client", "sort": "name", "query": "q=a"}
    )
    assert 'aria-sort="ascending"' in html and 'href="?q=a&amp;sort=-name"' in html and "▲" in html
    other = render_to_string(
        "includes/sort_header.html",
        {"key": "fees", "label": "Fees", "sort": "-fees", "query": "", "numeric": True, "hx_target": "#results"},
    )
    assert 'aria-sort="descending"' in other and 'href="?&amp;sort=fees"' in other and "▼" in other
    assert 'class="num"' in other and 'hx-target="#results"' in other
