"""Pickers write their markup in Python: it must be exactly what Django's templates write."""

import pytest
from django import forms

from core.widgets import PickerSelect, PickerSelectMultiple

CHOICES = [
    ("", "---------"),
    (1, "Ann <Smith> & Co"),
    (2, 'O\'Brien "Pat"'),
    ("Offices", [(3, "Leeds"), (4, "Zürich")]),
]


def django_rendered(widget_class, name, value, attrs):
    django_widget = widget_class(attrs={"data-picker": ""}, choices=CHOICES)
    return django_widget.render(name, value, attrs)


@pytest.mark.parametrize(
    ("picker", "django_widget", "value", "attrs"),
    [
        (PickerSelect, forms.Select, 2, {"id": "id_user", "required": True, "aria-invalid": "true"}),
        (PickerSelect, forms.Select, None, {"id": "id_user", "disabled": False}),
        (PickerSelect, forms.Select, 4, None),
        (PickerSelectMultiple, forms.SelectMultiple, [1, 3], {"id": "id_people"}),
    ],
)
def test_a_picker_writes_what_djangos_select_template_writes(picker, django_widget, value, attrs):
    ours = picker(choices=CHOICES).render("user", value, attrs)
    assert ours == django_rendered(django_widget, "user", value, attrs)
    assert "Ann &lt;Smith&gt; &amp; Co" in ours and 'data-picker=""' in ours
