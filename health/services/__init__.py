"""Writes of the health app: recomputes, jobs, alerts, scorecards and measurements."""
