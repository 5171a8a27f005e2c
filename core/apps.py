from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared plumbing no domain owns: queueing, cache, concurrency, errors, pagination, history reads."""

    name = "core"
