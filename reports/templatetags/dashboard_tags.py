from django import template

from core.money import format_money
from health.models import Band

register = template.Library()
BAND_LABELS = dict(Band.choices)


@register.filter
def band_label(band: str | None) -> str:
    return BAND_LABELS.get(band, "Not scored")


@register.filter
def money(value) -> str:
    """Whole units in the firm's currency ('£51,000'); the one rule is core.money's."""
    return format_money(value)
