"""Extension points for the apps above `accounts` (which it must not import)."""

from django.dispatch import Signal

# Sent while rendering a client's page with `client` and `user`. A receiver returns a
# dict {"order": int, "template": str, ...context} to add a section, or None. Each app keeps its
# receiver as `client_panel` in its panels.py, connected in its AppConfig.ready; the sections are
# shown by order: stakeholders 10, planning 20, health 30, reports 40, capture 45.
client_detail_panels = Signal()

# Sent (with `client` and `actor`) once a client has been put behind an ethical wall or taken out from
# behind one, so that the apps above record it (the firm-wide audit log).
wall_changed = Signal()
