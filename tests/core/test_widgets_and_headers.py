"""Shared form behaviour and response headers: ISO dates in date inputs, pickers, Vary: HX-Request."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.forms import AssignmentForm
from core.widgets import PickerSelect, PickerSelectMultiple
from planning.forms import ActionForm, ReviewForm
from stakeholders.forms import InteractionForm

pytestmark = pytest.mark.django_db


def test_a_prefilled_date_input_holds_an_iso_date_the_browser_can_show():
    form = AssignmentForm(initial={"start_date": datetime.date(2026, 11, 30)})
    assert 'value="2026-11-30"' in str(form["start_date"])
    assert "30/11/2026" not in str(form["start_date"])


def test_a_typed_british_date_is_still_understood():
    form = AssignmentForm(data={"start_date": "30/11/2026"})
    form.is_valid()
    assert form.cleaned_data.get("start_date") == datetime.date(2026, 11, 30)


@pytest.mark.parametrize(
    ("form_class", "field"),
    [
        (InteractionForm, "firm_attendees"),
        (InteractionForm, "stakeholders"),
        (ActionForm, "stakeholders"),
        (ActionForm, "owner"),
        (ReviewForm, "firm_attendees"),
        (ReviewForm, "client_attendees"),
        (AssignmentForm, "user"),
    ],
)
def test_every_people_choice_is_a_picker(form_class, field):
    widget = form_class.base_fields[field].widget
    assert isinstance(widget, PickerSelect | PickerSelectMultiple) or "data-picker" in widget.attrs


def test_the_client_page_serves_pickers_and_varies_on_htmx(alice, login, normal_client):
    response = login(alice).get(reverse("client-detail", args=[normal_client.pk]))
    page = response.content.decode()
    assert 'name="log-firm_attendees"' in page and "data-picker" in page
    # Served when `npm ci` installed it; without it the page keeps plain selects and names no missing file.
    assert ("vendor/tom-select/js/tom-select.complete.min.js" in page) == settings.TOM_SELECT_DIST.is_dir()
    assert "HX-Request" in response["Vary"]
    assert "no-store" in response["Cache-Control"]
