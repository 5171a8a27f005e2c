"""Template filters of the plan pages."""

import datetime

from django import template

register = template.Library()

MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@register.filter
def dmy(value: datetime.date | None) -> str:
    """'7 Mar 2026'. Pages print hundreds of dates; this costs a fraction of the `date` filter."""
    if not value:
        return ""
    return f"{value.day} {MONTHS[value.month]} {value.year}"
