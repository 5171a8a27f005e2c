from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = "Sign-on and provisioning"

    def ready(self) -> None:
        from identity import receivers  # noqa: F401  (records each signed-in session)
