"""Recomputing health scores, set-based: one aggregate query per measure per batch, one bulk upsert.

Recompute-all and the one-client recompute run the same code; only the list of ids differs.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Client, ClientStatus
from config.db_router import reading_from_replica
from core.statistics import tables_analyze
from health import measures
from health.default_scorecard import DEFAULT_MEASURES, DEFAULT_NOTE
from health.formula import MeasureSpec, ScoreResult, Thresholds, compute_score
from health.models import HealthScore, Measure, MeasureSource, Scorecard
from health.selectors import band_thresholds


@dataclass(frozen=True)
class LoadedScorecard:
    scorecard: Scorecard
    specs: list[MeasureSpec]
    thresholds: Thresholds
    entered_keys: list[str]
    computed_keys: list[str]


def scorecard_create_default() -> None:
    """Install the default scorecard as version 1, unless any scorecard exists."""
    with transaction.atomic():
        if Scorecard.objects.exists():
            return
        scorecard = Scorecard.objects.create(version=1, is_current=True, note=DEFAULT_NOTE)
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


def current_scorecard() -> Scorecard:
    """The scorecard in force; the default one is (re)created if the table was emptied."""
    scorecard = Scorecard.objects.filter(is_current=True).first()
    if scorecard is None:
        scorecard_create_default()
        scorecard = Scorecard.objects.get(is_current=True)
    return scorecard


def measure_target(measure: Measure) -> Decimal:
    """The raw value that scores 100: the setting's where one holds it (see measures.setting_target)."""
    target = measures.setting_target(measure.key)
    return measure.target if target is None else target


def load_scorecard(scorecard: Scorecard | None = None) -> LoadedScorecard:
    """The scorecard (default: the current one) as plain numbers for the formula."""
    if scorecard is None:
        scorecard = current_scorecard()
    rows = list(scorecard.measures.order_by("position", "key"))
    specs = [
        MeasureSpec(m.key, m.name, float(m.weight), float(m.floor), float(measure_target(m)), m.unit) for m in rows
    ]
    thresholds = band_thresholds(scorecard)
    entered = [m.key for m in rows if m.source == MeasureSource.ENTERED or m.key not in measures.COMPUTED]
    computed = [m.key for m in rows if m.key in measures.COMPUTED and m.key not in entered]
    return LoadedScorecard(scorecard, specs, thresholds, entered, computed)


def scored_client_ids() -> list[int]:
    """Clients that get a score: every client the firm has not lost, in id order."""
    return list(Client.objects.exclude(status=ClientStatus.LOST).order_by("pk").values_list("pk", flat=True))


def raw_values_for(
    loaded: LoadedScorecard, as_of: datetime.date, client_ids: Sequence[int]
) -> dict[int, dict[str, float | None]]:
    """{client_id: {measure key: raw value or None}}: one aggregate query per group of measures."""
    per_measure: dict[str, dict[int, float]] = {}
    wanted = set(loaded.computed_keys)
    for keys, function in measures.GROUPS:
        if wanted.intersection(keys):
            values = function(as_of, client_ids)
            per_measure.update({key: values[key] for key in keys if key in wanted})
    defaults = {key: measures.COMPUTED[key] for key in loaded.computed_keys}
    per_measure.update(measures.entered(loaded.entered_keys, as_of, client_ids))
    return {
        client_id: {key: values.get(client_id, defaults.get(key)) for key, values in per_measure.items()}
        for client_id in client_ids
    }


def compute_for(loaded: LoadedScorecard, as_of: datetime.date, client_ids: Sequence[int]) -> dict[int, ScoreResult]:
    raws = raw_values_for(loaded, as_of, client_ids)
    return {client_id: compute_score(loaded.specs, raws[client_id], loaded.thresholds) for client_id in client_ids}


_LOAD_TABLE = """
CREATE TEMP TABLE IF NOT EXISTS health_score_load (
    client_id bigint, score numeric(5, 2), coverage numeric(4, 3), band varchar(12),
    components jsonb
) ON COMMIT DELETE ROWS
"""

_UPSERT = """
INSERT INTO health_healthscore
    (client_id, as_of, score, coverage, band, scorecard_id, components, computed_at)
SELECT client_id, %s, score, coverage, band, %s, components, now() FROM health_score_load
ON CONFLICT (client_id, as_of) DO UPDATE SET
    score = EXCLUDED.score, coverage = EXCLUDED.coverage, band = EXCLUDED.band,
    scorecard_id = EXCLUDED.scorecard_id, components = EXCLUDED.components,
    computed_at = EXCLUDED.computed_at
"""


def scores_write(results: dict[int, ScoreResult], *, as_of: datetime.date, scorecard: Scorecard) -> int:
    """Insert or replace the day's score of each client: COPY into a session-local table, then
    one INSERT … ON CONFLICT for the whole batch (much cheaper than a statement per row)."""
    if not results:
        return 0
    with transaction.atomic(), connection.cursor() as wrapper:
        cursor = wrapper.cursor
        cursor.execute(_LOAD_TABLE)
        # Inside a caller's transaction ON COMMIT has not fired yet: start from an empty table.
        cursor.execute("TRUNCATE health_score_load")
        with cursor.copy("COPY health_score_load FROM STDIN") as copy:
            for client_id, result in results.items():
                components = [c.as_json() for c in result.components]
                copy.write_row(
                    (
                        client_id,
                        result.score,
                        result.coverage,
                        result.band,
                        json.dumps(components, separators=(",", ":")),
                    )
                )
        cursor.execute(_UPSERT, [as_of, scorecard.pk])
    return len(results)


def batch_size() -> int:
    return getattr(settings, "HEALTH_RECOMPUTE_BATCH", 5000)


@dataclass
class BatchOutcome:
    client_ids: list[int]
    results: dict[int, ScoreResult]


def recompute_batch(
    *,
    loaded: LoadedScorecard,
    as_of: datetime.date,
    client_ids: Sequence[int],
    alert: bool = True,
    from_replica: bool = False,
) -> BatchOutcome:
    """Compute and store one batch atomically: all of its scores are written, or none. `from_replica`:
    the inputs may be read from a replica (recompute-all; never a recompute that follows an edit)."""
    from health.services.alerts import alerts_raise

    compute = reading_from_replica()(compute_for) if from_replica else compute_for
    results = compute(loaded, as_of, client_ids)
    with transaction.atomic():
        scores_write(results, as_of=as_of, scorecard=loaded.scorecard)
        if alert and as_of >= timezone.localdate() - datetime.timedelta(days=1):
            alerts_raise(results=results, as_of=as_of)
    return BatchOutcome(list(client_ids), results)


def scores_recompute(
    *,
    as_of: datetime.date | None = None,
    client_ids: Sequence[int] | None = None,
    scorecard: Scorecard | None = None,
    alert: bool = True,
) -> int:
    """Recompute now (all clients, or `client_ids`), batch by batch. Returns clients scored."""
    as_of = as_of or timezone.localdate()
    loaded = load_scorecard(scorecard)
    ids = scored_client_ids() if client_ids is None else sorted(set(client_ids))
    size = batch_size()
    for start in range(0, len(ids), size):
        recompute_batch(loaded=loaded, as_of=as_of, client_ids=ids[start : start + size], alert=alert)
    if client_ids is None:
        tables_analyze(HealthScore)
    return len(ids)


def client_recompute(*, client: Client, as_of: datetime.date | None = None) -> ScoreResult:
    """One client through the same code as recompute-all."""
    as_of = as_of or timezone.localdate()
    loaded = load_scorecard()
    return recompute_batch(loaded=loaded, as_of=as_of, client_ids=[client.pk]).results[client.pk]


def what_if(*, client: Client, as_of: datetime.date | None = None, overrides: dict[str, float | None]) -> ScoreResult:
    """The score the client would get with some raw values replaced. Nothing is saved."""
    as_of = as_of or timezone.localdate()
    loaded = load_scorecard()
    raws = raw_values_for(loaded, as_of, [client.pk])[client.pk]
    raws.update({key: value for key, value in overrides.items() if key in raws})
    return compute_score(loaded.specs, raws, loaded.thresholds)
