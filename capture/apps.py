from django.apps import AppConfig


class CaptureConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "capture"
    verbose_name = "Mailbox capture"

    def ready(self) -> None:
        from capture import receivers

        receivers.connect()
