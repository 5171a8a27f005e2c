"""The scorecard page's form: the bands, and one row per measure as a formset."""

from __future__ import annotations

from django import forms

from health.services.measurements import NOTE_MAX_LENGTH
from health.services.scorecards import MeasureInput

NUMBER = {"required": "Enter a number.", "invalid": "Enter a number."}


class ScorecardForm(forms.Form):
    green_threshold = forms.DecimalField(error_messages=NUMBER)
    amber_threshold = forms.DecimalField(error_messages=NUMBER)
    min_coverage = forms.DecimalField(error_messages=NUMBER)
    note = forms.CharField(required=False, strip=False, max_length=NOTE_MAX_LENGTH)


class MeasureForm(forms.Form):
    key = forms.CharField(required=False)
    name = forms.CharField(required=False, strip=False)
    description = forms.CharField(required=False, strip=False)
    unit = forms.CharField(required=False, strip=False)
    weight = forms.DecimalField(error_messages=NUMBER)
    floor = forms.DecimalField(error_messages=NUMBER)
    target = forms.DecimalField(error_messages=NUMBER)


class BaseMeasureFormSet(forms.BaseFormSet):
    def measures_in(self) -> list[MeasureInput]:
        """The rows to publish: removed rows and a blank "add a measure" row are left out."""
        items = []
        for form in self.forms:
            blank_new_row = form in self.extra_forms and not form.cleaned_data.get("key")
            if blank_new_row or self._should_delete_form(form):
                continue
            data = form.cleaned_data
            items.append(
                MeasureInput(
                    key=data["key"],
                    name=data["name"],
                    description=data["description"],
                    unit=data["unit"],
                    weight=data["weight"],
                    floor=data["floor"],
                    target=data["target"],
                )
            )
        return items


MeasureFormSet = forms.formset_factory(MeasureForm, formset=BaseMeasureFormSet, extra=1, can_delete=True)


def field_errors(form: ScorecardForm, formset: BaseMeasureFormSet) -> dict[str, list[str]]:
    """The forms' errors keyed as the page lists them: `green_threshold`, `measures-<n>-weight`…"""
    errors: dict[str, list[str]] = dict(form.errors)
    for row in formset.forms:
        errors.update({f"{row.prefix}-{name}": list(texts) for name, texts in row.errors.items()})
    if formset.non_form_errors():
        errors["__all__"] = list(formset.non_form_errors())
    return errors
