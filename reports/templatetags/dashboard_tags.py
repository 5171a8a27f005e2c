from django import template

from health.models import Band

register = template.Library()
BAND_LABELS = dict(Band.choices)


@register.filter
def band_label(band: str | None) -> str:
    return BAND_LABELS.get(band, "Not scored")


@register.filter
def money(value) -> str:
    """Whole currency units with thousands separators."""
    if value is None:
        return "—"
    return f"{float(value):,.0f}"
