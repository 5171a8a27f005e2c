"""Signals other apps listen to (playbooks), so listening never imports them."""

from django.dispatch import Signal

# Sent inside the write's transaction whenever an incident is created or changed through the
# services and is critical and unresolved, with `incident`.
critical_incident_open = Signal()
