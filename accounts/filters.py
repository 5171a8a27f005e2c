"""API filters that keep the wall: an id behind it is refused exactly like an id that does not exist.

Every filter that takes an id (`?client=`, `?plan=`, `?stakeholder__client=`, …) offers the choices
of `accounts.access.visible_rows`, so `?client=<hidden>` and `?client=<no such id>` get the same 400.
`AccessFilterBackend` is the project's filter backend: filtersets generated from `filterset_fields`
are built on `AccessFilterSet`, and a declared `filterset_class` must extend it.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django_filters import rest_framework as filters

from accounts.access import visible_rows

UNKNOWN_CHOICE = "Select a valid choice. That choice is not one of the available choices."


class AccessFilterSet(filters.FilterSet):
    """A FilterSet whose id choices are what the requesting user may see."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        for filter_ in self.filters.values():
            if not isinstance(filter_, filters.ModelChoiceFilter | filters.ModelMultipleChoiceFilter):
                continue
            filter_.queryset = _scoped(filter_.queryset, user)
            # The default message of a multiple choice repeats the value; one wording for every id.
            filter_.extra.setdefault("error_messages", {})["invalid_choice"] = UNKNOWN_CHOICE


def _scoped(queryset, user):
    def choices(request):
        base = queryset(request) if callable(queryset) else queryset
        return visible_rows(user, base.all()) if user is not None else base.none()

    return choices


class AccessFilterBackend(filters.DjangoFilterBackend):
    filterset_base = AccessFilterSet

    def get_filterset_class(self, view, queryset=None):
        filterset_class = super().get_filterset_class(view, queryset)
        if filterset_class is not None and not issubclass(filterset_class, AccessFilterSet):
            raise ImproperlyConfigured(
                f"{filterset_class.__name__} must extend accounts.filters.AccessFilterSet so its id "
                "filters keep the ethical wall."
            )
        return filterset_class
