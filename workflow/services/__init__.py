"""Every write of the workflow app, one module per topic."""
