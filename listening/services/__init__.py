"""Writes of the client-listening app, one module per topic."""
