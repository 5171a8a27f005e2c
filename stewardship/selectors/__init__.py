"""Reads of CRP stewardship, by topic: quarters, signals, the scorecard, the shortlist, the rotation
calendar, and the firm views (succession, bench, capacity, persona mix)."""
