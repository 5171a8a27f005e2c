"""Add the client-listening measures (CSAT, CES, open critical incidents, review rating) to the firm's scorecard: as a
new version when scores were computed with the current one (they stay explained by the version they
used), or into the current version itself while no score has used it yet (a new installation). A
frozen copy: health.default_scorecard lists the same three for scorecards made afresh."""

from decimal import Decimal

from django.db import migrations

ADDED = [
    (
        "client_csat",
        "Client satisfaction",
        "Latest satisfaction (CSAT 1–5) from a client survey in the trailing 365 days",
        "entered",
        "2",
        "4.5",
        "5",
        "out of 5",
    ),
    (
        "client_ces",
        "Client effort",
        "Latest ease of working with the firm (CES 1–7, 7 easiest) from a client survey in the trailing 365 days",
        "entered",
        "3",
        "6",
        "5",
        "out of 7",
    ),
    (
        "open_incidents",
        "Open critical incidents",
        "Critical incidents and complaints not yet resolved",
        "computed",
        "2",
        "0",
        "5",
        "incidents",
    ),
    (
        "review_rating",
        "Review rating",
        "The client's rating (1–5) at the latest client review held in the trailing 365 days",
        "computed",
        "2",
        "4.5",
        "5",
        "out of 5",
    ),
]


def add_measures(apps, schema_editor):
    Scorecard = apps.get_model("health", "Scorecard")
    Measure = apps.get_model("health", "Measure")
    current = Scorecard.objects.filter(is_current=True).first()
    if current is None:
        return
    existing = list(Measure.objects.filter(scorecard=current).order_by("position", "key"))
    have = {m.key for m in existing}
    missing = [row for row in ADDED if row[0] not in have]
    if not missing:
        return
    HealthScore = apps.get_model("health", "HealthScore")
    if not HealthScore.objects.filter(scorecard=current).exists():
        Measure.objects.bulk_create(
            [
                Measure(
                    scorecard=current,
                    key=key,
                    name=name,
                    description=description,
                    source=source,
                    floor=Decimal(floor),
                    target=Decimal(target),
                    weight=Decimal(weight),
                    unit=unit,
                    position=len(existing) + index,
                )
                for index, (key, name, description, source, floor, target, weight, unit) in enumerate(missing)
            ]
        )
        return
    Scorecard.objects.filter(pk=current.pk).update(is_current=False)
    new = Scorecard.objects.create(
        version=current.version + 1,
        is_current=True,
        green_threshold=current.green_threshold,
        amber_threshold=current.amber_threshold,
        min_coverage=current.min_coverage,
        note="Client listening measures added (CSAT, CES, open critical incidents, review rating)",
    )
    rows = [
        Measure(
            scorecard=new,
            key=m.key,
            name=m.name,
            description=m.description,
            source=m.source,
            floor=m.floor,
            target=m.target,
            weight=m.weight,
            unit=m.unit,
            position=index,
        )
        for index, m in enumerate(existing)
    ]
    rows += [
        Measure(
            scorecard=new,
            key=key,
            name=name,
            description=description,
            source=source,
            floor=Decimal(floor),
            target=Decimal(target),
            weight=Decimal(weight),
            unit=unit,
            position=len(existing) + index,
        )
        for index, (key, name, description, source, floor, target, weight, unit) in enumerate(missing)
    ]
    Measure.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("listening", "0001_initial"),
        ("health", "0006_dates_within_sensible_range"),
    ]

    operations = [migrations.RunPython(add_measures, migrations.RunPython.noop)]
