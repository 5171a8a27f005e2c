"""Graded-entry PDF reports: data gathering, narrative, charts and safe rendering."""
