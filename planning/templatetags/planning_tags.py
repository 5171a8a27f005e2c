"""Template filters of the plan pages."""

import datetime

from django import template

from core.readability import readability_hint as hint_for

register = template.Library()

MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@register.filter
def dmy(value: datetime.date | None) -> str:
    """'7 Mar 2026'. Pages print hundreds of dates; this costs a fraction of the `date` filter."""
    if not value:
        return ""
    return f"{value.day} {MONTHS[value.month]} {value.year}"


@register.filter
def readability_hint(text: str) -> str:
    """The hard-to-read hint shown under partner-written text; the PDF reports flag the same."""
    return hint_for(text) if isinstance(text, str) else ""
