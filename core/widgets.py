"""Form widgets every app shares.

A picker is a plain ``<select>`` marked ``data-picker``: static/js/widgets.js turns it into a
type-ahead, keyboard-driven multi-select (Tom Select) when the script is there, and it stays a
working select when it is not. Its choices are the field's queryset, filtered on the server by the
access rule like any other choice.

A picker of firm people holds every active person (a thousand and more in a large firm), and
Django renders each option through two templates: on the client page that was half the time of the
whole request. Pickers write the same markup as Django's ``select.html`` in Python instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

PICKER = {"data-picker": ""}


def _attributes(attrs: dict[str, Any]) -> str:
    """As django/forms/widgets/attrs.html: True is a bare name, False leaves the attribute out."""
    return "".join(
        f" {name}" if value is True else f' {name}="{escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class ListSelect(forms.Select):
    """A plain select for long lists (no type-ahead), written in Python like the pickers."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{escape(widget["name"])}"{_attributes(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            parts.extend(
                f'\n  <option value="{escape(str(option["value"]))}"{_attributes(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>\n"
                for option in options
            )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308  # nosec B308 B703 - every part escaped above


class PickerSelectMultiple(ListSelect, forms.SelectMultiple):
    def __init__(self, attrs: dict | None = None, choices: Iterable = ()) -> None:
        super().__init__({**PICKER, **(attrs or {})}, choices)


class PickerSelect(ListSelect):
    def __init__(self, attrs: dict | None = None, choices: Iterable = ()) -> None:
        super().__init__({**PICKER, **(attrs or {})}, choices)


class SearchPickerSelect(PickerSelect):
    """A picker over a list too long to send with the page (every client of a large firm, every person
    who ever worked there): the page carries only the chosen option, and typing asks `source`, an API
    list that takes ``?search=``, for matches. The API applies the access rule, as the field's own
    queryset does when the form is submitted."""

    def __init__(self, source: str, attrs: dict | None = None) -> None:
        super().__init__({"data-picker-source": source, **(attrs or {})})

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        every_choice = self.choices
        self.choices = list(self._chosen_only(every_choice, value))
        try:
            return super().get_context(name, value, attrs)
        finally:
            self.choices = every_choice

    @staticmethod
    def _chosen_only(choices: Any, value: Any) -> Iterable[tuple[Any, str]]:
        values = value if isinstance(value, list | tuple) else [value]
        chosen = [str(item) for item in values if item not in (None, "")]
        field = getattr(choices, "field", None)
        if field is None:  # plain choices: keep the chosen ones
            yield from ((key, label) for key, label in choices if key == "" or str(key) in chosen)
            return
        if field.empty_label is not None:
            yield ("", field.empty_label)
        if chosen:
            for instance in choices.queryset.filter(pk__in=[item for item in chosen if item.isdigit()]):
                yield (instance.pk, field.label_from_instance(instance))
