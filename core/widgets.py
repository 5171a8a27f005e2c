"""Form widgets every app shares.

A picker is a plain ``<select>`` marked ``data-picker``: static/js/widgets.js turns it into a
type-ahead, keyboard-driven multi-select (Tom Select) when the script is there, and it stays a
working select when it is not. Its choices are the field's queryset, filtered on the server by the
access rule like any other choice.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms

PICKER = {"data-picker": ""}


class PickerSelectMultiple(forms.SelectMultiple):
    def __init__(self, attrs: dict | None = None, choices: Iterable = ()) -> None:
        super().__init__({**PICKER, **(attrs or {})}, choices)


class PickerSelect(forms.Select):
    def __init__(self, attrs: dict | None = None, choices: Iterable = ()) -> None:
        super().__init__({**PICKER, **(attrs or {})}, choices)
