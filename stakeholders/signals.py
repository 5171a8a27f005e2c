"""Extension points for the apps above `stakeholders` (which it must not import)."""

from django.dispatch import Signal

# Sent while rendering a stakeholder's page with `stakeholder` and `user` (the stakeholder already
# checked visible). A receiver returns {"template": str, ...context} to add a section after the
# interactions (client listening's survey answers), or None.
stakeholder_detail_panels = Signal()
# Sent by the personal-data export with `stakeholder`. A receiver returns {section: data} to add what
# its app holds about the person to the export (mailbox capture adds its pending proposals).
personal_data_collected = Signal()

# Sent inside the erasure's transaction with `stakeholder`, and the `email` and `name` it held before
# erasure, so that other apps forget the person too (and capture never records them again).
personal_data_erased = Signal()
