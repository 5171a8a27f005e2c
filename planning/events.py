"""Signals other apps listen to (notifications, playbooks), so planning never imports them."""

from django.dispatch import Signal

# Sent inside the write's transaction after a plan row is created or updated through the services,
# with `instance`, `actor`, `created` and `previous`: {field name: value before} of the fields the
# write set (many-to-many fields: the set of primary keys linked before).
item_saved = Signal()
