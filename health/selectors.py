"""Reads for the health pages and API: a client's score with its why, movers and trend."""

from __future__ import annotations

import datetime
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.apps import apps
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import BooleanField, Exists, F, Func, OuterRef, QuerySet, Subquery
from django.utils import timezone

from accounts.access import visible_clients
from accounts.models import Client, ClientStatus, User
from health.components import describe_components, fmt, measure_labels
from health.formula import INSUFFICIENT, MeasureSpec, Thresholds, compute_score
from health.models import HealthScore, JobStatus, PendingRecompute, RecomputeJob, Scorecard

TREND_DAYS = 365
MOVER_DAYS = 90


class _IsAnyOf(Func):
    """`value = ANY(array)`: the two expressions joined by ` = ANY(`, closed by the template."""

    arity = 2
    template = "%(expressions)s)"
    arg_joiner = " = ANY("
    output_field = BooleanField()


def newest_scores(as_of: datetime.date, client: str = "pk") -> QuerySet[HealthScore]:
    """The scores of the client at `OuterRef(client)` up to `as_of`, newest first: sliced `[:1]` in a
    Subquery, PostgreSQL reads one entry of the score_latest_per_client index per client."""
    return HealthScore.objects.filter(client=OuterRef(client), as_of__lte=as_of).order_by("-as_of")


def latest_scores(
    clients: QuerySet[Client] | Iterable[int],
    as_of: datetime.date | None = None,
    *,
    among: QuerySet[HealthScore] | None = None,
) -> QuerySet[HealthScore]:
    """Each client's newest score up to `as_of` (default today): the one home of "the latest score".

    One query however many clients: a probe of the client's index per client, never a DISTINCT ON
    that reads every day of every client's history. `among` narrows the scores a newest one is
    picked from (an API's filters); a client without a score there has no row.
    """
    as_of = as_of or timezone.localdate()
    if not isinstance(clients, QuerySet):
        clients = Client.objects.filter(pk__in=list(clients))
    scores = HealthScore.objects.all() if among is None else among
    newest = scores.filter(client=OuterRef("pk"), as_of__lte=as_of).order_by("-as_of").values("pk")[:1]
    # id = ANY(ARRAY(…)): PostgreSQL probes each client once; as `id IN (…)` it probed twice.
    ids = ArraySubquery(clients.order_by().values(latest=Subquery(newest)))
    return HealthScore.objects.filter(_IsAnyOf(F("pk"), ids)).order_by("client_id")


def specs_from(components: list[dict]) -> list[MeasureSpec]:
    """The scorecard a stored score was computed with, rebuilt from its own components."""
    return [
        MeasureSpec(c["key"], c["name"], c["weight"], c["floor"], c["target"], c.get("unit", "")) for c in components
    ]


def raws_from(components: list[dict]) -> dict[str, float | None]:
    return {c["key"]: c["raw"] for c in components}


@dataclass
class Mover:
    key: str
    name: str
    old_raw: float | None
    new_raw: float | None
    points: float
    unit: str

    @property
    def sentence(self) -> str:
        if self.old_raw is None:
            change = f"is now measured at {fmt(self.new_raw, self.unit)}"
        elif self.new_raw is None:
            change = f"is no longer measured (was {fmt(self.old_raw, self.unit)})"
        else:
            verb = "rose" if self.new_raw > self.old_raw else "fell"
            old, new = fmt(self.old_raw, self.unit, bare=True), fmt(self.new_raw, self.unit)
            change = f"{verb} from {old} to {new}"
        sign = "+" if self.points > 0 else "\u2212"  # a typographic minus
        return f"{self.name} {change}: {sign}{abs(self.points):.0f} points"


class ScorePoint(NamedTuple):
    """One day of a client's score history: what the trend and its scorecard-change markers need."""

    as_of: datetime.date
    score: Decimal | None
    scorecard_id: int
    pk: int


@dataclass
class ClientHealth:
    latest: HealthScore | None
    history: list[ScorePoint] = field(default_factory=list)
    baseline: HealthScore | None = None
    recompute_queued: bool = False  # data changed since the latest score: the debounced recompute is due
    data_movers: list[Mover] = field(default_factory=list)
    scorecard_move: float | None = None
    scorecard_change: tuple[int, int] | None = None
    total_move: float | None = None

    @property
    def missing(self) -> list[dict]:
        return [c for c in self.latest.components if c["missing"]] if self.latest else []

    @property
    def insufficient(self) -> bool:
        return bool(self.latest and self.latest.band == INSUFFICIENT)

    @property
    def scorecard_change_dates(self) -> list[datetime.date]:
        dates, previous = [], None
        for row in self.history:
            if previous is not None and row.scorecard_id != previous:
                dates.append(row.as_of)
            previous = row.scorecard_id
        return dates


def band_thresholds(scorecard: Scorecard | None = None) -> Thresholds:
    """The band thresholds of `scorecard` (default: the version in force): the one home of the
    green and amber lines every page, chart and pack draws."""
    if scorecard is None:
        scorecard = Scorecard.objects.filter(is_current=True).first()
    if scorecard is None:
        return Thresholds()
    return Thresholds(
        float(scorecard.green_threshold),
        float(scorecard.amber_threshold),
        float(scorecard.min_coverage),
    )


def client_health(client: Client, as_of: datetime.date | None = None) -> ClientHealth:
    """The client's latest score, a year of history and what moved it over 90 days.

    Two queries: the year as plain points, then the two scores the page explains in full (the latest
    and the baseline of the movers), with their scorecards and whether a recompute is queued."""
    as_of = as_of or timezone.localdate()
    history = [
        ScorePoint(*row)
        for row in HealthScore.objects.filter(
            client=client, as_of__lte=as_of, as_of__gt=as_of - datetime.timedelta(days=TREND_DAYS)
        )
        .order_by("as_of")
        .values_list("as_of", "score", "scorecard_id", "pk")
    ]
    if not history:
        return ClientHealth(latest=None)
    cutoff = history[-1].as_of - datetime.timedelta(days=MOVER_DAYS)
    older = [point for point in history if point.as_of <= cutoff]
    baseline_point = older[-1] if older else (history[0] if len(history) > 1 else None)
    wanted = [history[-1].pk] + ([baseline_point.pk] if baseline_point else [])
    rows = (
        HealthScore.objects.select_related("scorecard")
        .annotate(recompute_queued=Exists(PendingRecompute.objects.filter(client_id=OuterRef("client_id"))))
        .in_bulk(wanted)
    )
    latest = rows[history[-1].pk]
    baseline = rows[baseline_point.pk] if baseline_point else None
    label_components([latest, baseline] if baseline else [latest])
    health = ClientHealth(latest=latest, history=history, baseline=baseline, recompute_queued=latest.recompute_queued)
    if baseline is not None:
        explain_moves(health, latest, baseline)
    return health


def label_components(scores: list[HealthScore]) -> None:
    """Give each score's components their measure's name, unit and shown value (one query)."""
    labels = measure_labels(s.scorecard_id for s in scores)
    for score in scores:
        score.components = describe_components(score.components, labels, score.scorecard_id)


def explain_moves(health: ClientHealth, latest: HealthScore, baseline: HealthScore) -> None:
    """Split the change into data moves (per measure, under today's scorecard) and a scorecard move.

    old raws under the old scorecard -> old raws under today's scorecard is the scorecard's doing;
    from there to today's raws under today's scorecard is the client's data.
    """
    specs = specs_from(latest.components)
    thresholds = band_thresholds(latest.scorecard)
    old_raws = raws_from(baseline.components)
    new_raws = raws_from(latest.components)
    old_under_new = compute_score(specs, old_raws, thresholds)
    if baseline.score is not None and old_under_new.score is not None and baseline.scorecard_id != latest.scorecard_id:
        health.scorecard_move = round(old_under_new.score - float(baseline.score), 1)
        health.scorecard_change = (baseline.scorecard.version, latest.scorecard.version)
    if latest.score is not None and baseline.score is not None:
        health.total_move = round(float(latest.score) - float(baseline.score), 1)
    old_points = {c.key: c.contribution for c in old_under_new.components}
    movers = []
    for component in latest.components:
        key = component["key"]
        points = component["contribution"] - old_points.get(key, 0.0)
        if old_raws.get(key) == new_raws.get(key) or abs(points) < 0.5:
            continue
        movers.append(
            Mover(
                key,
                component["name"],
                old_raws.get(key),
                new_raws.get(key),
                points,
                component.get("unit", ""),
            )
        )
    health.data_movers = sorted(movers, key=lambda m: -abs(m.points))[:5]


def sparkline(
    history: list[ScorePoint],
    change_dates: list[datetime.date],
    thresholds: Thresholds,
    width: int = 240,
    height: int = 48,
) -> dict | None:
    """Points and scorecard-change markers of a score-over-time SVG, drawn on the server."""
    scored = [(row.as_of, float(row.score)) for row in history if row.score is not None]
    if len(scored) < 2:
        return None
    first, last = scored[0][0], scored[-1][0]
    span = max((last - first).days, 1)

    def x(day: datetime.date) -> float:
        return round(2 + (width - 4) * (day - first).days / span, 1)

    def y(score: float) -> float:
        return round(2 + (height - 4) * (1 - score / 100), 1)

    points = " ".join(f"{x(day)},{y(score)}" for day, score in scored)
    return {
        "width": width,
        "height": height,
        "points": points,
        "markers": [{"x": x(day), "date": day} for day in change_dates if first <= day <= last],
        "green_y": y(thresholds.green),
        "amber_y": y(thresholds.amber),
        "green": thresholds.green,
        "amber": thresholds.amber,
        "last_x": x(last),
        "last_y": y(scored[-1][1]),
    }


@dataclass(frozen=True)
class JobProgress:
    done: int
    total: int | None  # None until the job has counted its clients
    percent: int


def jobs_progress_for(user: User, jobs: list[RecomputeJob]) -> dict[int, JobProgress]:
    """How far each recompute job has got, counted over the clients `user` may see.

    A job walks every client; someone outside a wall reading "145 of 145" would learn how many
    clients sit behind it, so their figures cover exactly what they may see. One query for any
    number of jobs: the visible scored ids, in the order the jobs walk them.
    """
    if user.sees_behind_walls:
        return {job.pk: JobProgress(job.done, job.total or None, job.percent) for job in jobs}
    scored = sorted(visible_clients(user).exclude(status=ClientStatus.LOST).values_list("pk", flat=True))
    progress = {}
    for job in jobs:
        if not job.total:
            progress[job.pk] = JobProgress(0, None, job.percent)
            continue
        total = len(scored)
        done = total if job.status == JobStatus.DONE else bisect_right(scored, job.last_client_id)
        percent = 100 if job.status == JobStatus.DONE else (100 * done // total if total else 0)
        progress[job.pk] = JobProgress(done, total, percent)
    return progress


def scorecard_audit_history(limit: int = 40) -> list[Any]:
    """The latest changes to scorecard measures, newest first, each with `.who` (a name or None)."""
    events = list(
        apps.get_model("health", "MeasureEvent")
        .objects.select_related("pgh_context")
        .order_by("-pgh_created_at", "-pgh_id")[:limit]
    )

    def user_id(event: Any) -> int | None:
        return (event.pgh_context.metadata or {}).get("user") if event.pgh_context else None

    people = dict(User.objects.filter(pk__in={user_id(e) for e in events}).values_list("pk", "full_name"))
    for event in events:
        event.who = people.get(user_id(event))
    return events
