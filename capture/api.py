"""Mailbox capture has no API of its own yet: its pages are the review queue and the status page."""

routes: list = []
