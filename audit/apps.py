from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from audit import receivers  # noqa: F401  (connects the sign-in, permission and wall hooks)
        from audit.indexes import index_history_tables

        post_migrate.connect(index_history_tables, sender=self, dispatch_uid="audit_index_history_tables")
