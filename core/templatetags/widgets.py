"""{% picker_assets %}: Tom Select's script and stylesheet, when `npm ci` has installed them."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def picker_assets() -> str:
    # Without node_modules the pickers stay plain selects; naming a missing file would break the page.
    if not settings.TOM_SELECT_DIST.is_dir():
        return ""
    return format_html(
        '<link rel="stylesheet" href="{}">\n  <script src="{}" defer></script>',
        static("vendor/tom-select/css/tom-select.css"),
        static("vendor/tom-select/js/tom-select.complete.min.js"),
    )
