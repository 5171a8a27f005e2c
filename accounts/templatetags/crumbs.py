"""{% start_crumb "dashboard" %}: the first breadcrumb, the reader's own start page, unless the trail
already begins there (a BD user's dashboard is their start page: no "Home › Portfolio dashboard")."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html

from accounts.access import START_PAGE_LABELS, start_page

register = template.Library()


@register.simple_tag(takes_context=True)
def start_crumb(context, *trail: str) -> str:
    """trail: the URL names the breadcrumbs name next; the start crumb is left out if it is one of them."""
    request = context.get("request")
    name = start_page(request.user) if request is not None else "client-list"
    if name in trail:
        return ""
    return format_html('<a href="{}">{}</a> › ', reverse("home"), START_PAGE_LABELS.get(name, "Clients"))
