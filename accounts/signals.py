"""Extension points for the apps above `accounts` (which it must not import)."""

from django.dispatch import Signal

# Sent while rendering a client's page with `client` and `user`. A receiver returns a
# dict {"order": int, "template": str, ...context} to add a section, or None.
client_detail_panels = Signal()
