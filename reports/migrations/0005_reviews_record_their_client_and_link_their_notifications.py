"""Account reviews made so far cover their scope's client: record it, and link each review's
"Your report is ready" notification to that client, so that both are read through the wall."""

from django.db import migrations


def record_reviewed_clients(apps, schema_editor):
    Report = apps.get_model("reports", "Report")
    Notification = apps.get_model("accounts", "Notification")
    Client = apps.get_model("accounts", "Client")
    existing = set(Client.objects.values_list("pk", flat=True))
    for report in Report.objects.filter(kind="account_review").only("pk", "scope").iterator():
        try:
            client_id = int((report.scope or {}).get("id"))
        except (TypeError, ValueError):
            continue
        Report.objects.filter(pk=report.pk).update(client_ids=[client_id])
        if client_id in existing:
            Notification.objects.filter(dedupe_key=f"report-done-{report.pk}", client__isnull=True).update(
                client_id=client_id
            )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_crp_trigger_message_wording"),
        ("reports", "0004_report_covered_clients_no_left_out_count"),
    ]

    operations = [migrations.RunPython(record_reviewed_clients, migrations.RunPython.noop)]
