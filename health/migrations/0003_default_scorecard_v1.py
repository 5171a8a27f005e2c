from decimal import Decimal

from django.db import migrations

DEFAULT_MEASURES = [
    # key, name, description, source, floor, target, weight, unit
    (
        "contact_frequency",
        "Contact frequency",
        "Interactions with the client in the trailing 365 days",
        "computed",
        "0",
        "10",
        "15",
        "touchpoints a year",
    ),
    (
        "senior_coverage",
        "Senior coverage",
        "Share of active board, C-suite and decision-maker stakeholders with a firm relationship of strength 3 or more",
        "computed",
        "0",
        "1",
        "15",
        "share",
    ),
    (
        "sentiment",
        "Sentiment",
        "Mean sentiment (−2…+2) of interactions in the trailing 180 days",
        "computed",
        "-1",
        "1.5",
        "15",
        "mean sentiment",
    ),
    (
        "fee_growth",
        "Fee growth",
        "% change of fees in the last complete financial year over the one before",
        "computed",
        "-20",
        "10",
        "15",
        "%",
    ),
    (
        "service_breadth",
        "Service breadth",
        "Share of the firm's active service lines that billed the client in the last complete financial year",
        "computed",
        "0.1",
        "0.5",
        "10",
        "share",
    ),
    (
        "plan_execution",
        "Plan execution",
        "Share of actions due in the trailing 90 days that are done",
        "computed",
        "0.3",
        "0.9",
        "10",
        "share",
    ),
    (
        "client_nps",
        "Client NPS",
        "Latest likelihood-to-recommend (0–10) from a client survey in the trailing 365 days",
        "entered",
        "6",
        "9",
        "10",
        "out of 10",
    ),
    (
        "open_risks",
        "Open high risks",
        "Open risks with likelihood × impact of 15 or more",
        "computed",
        "3",
        "0",
        "5",
        "risks",
    ),
    (
        "payment_days",
        "Payment days",
        "Latest average days-to-pay entered or imported in the trailing 365 days",
        "entered",
        "120",
        "30",
        "5",
        "days",
    ),
]


def create_default_scorecard(apps, schema_editor):
    Scorecard = apps.get_model("health", "Scorecard")
    Measure = apps.get_model("health", "Measure")
    if Scorecard.objects.exists():
        return
    scorecard = Scorecard.objects.create(version=1, is_current=True, note="Default scorecard")
    Measure.objects.bulk_create(
        [
            Measure(
                scorecard=scorecard,
                key=key,
                name=name,
                description=description,
                source=source,
                floor=Decimal(floor),
                target=Decimal(target),
                weight=Decimal(weight),
                unit=unit,
                position=index,
            )
            for index, (key, name, description, source, floor, target, weight, unit) in enumerate(DEFAULT_MEASURES)
        ]
    )


class Migration(migrations.Migration):
    dependencies = [("health", "0002_recompute_jobs_and_pending")]

    operations = [migrations.RunPython(create_default_scorecard, migrations.RunPython.noop)]
