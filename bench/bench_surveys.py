"""Client-listening benchmark: 10,000 survey emails queued and rendered, then responses recorded
through the public page.

    .venv/bin/python bench/bench_surveys.py [--recipients 10000] [--responses 1000]

Seeds its own database (keyline_bench_surveys): 50 clients, --recipients decision-makers with email
addresses. Prints the time to add the recipients, the time to send them (one Celery task per batch of
LISTENING_SEND_BATCH, run in-process; each message rendered to its full MIME bytes by the mail
backend, then dropped), the process's peak memory, and the rate of answers recorded through the
public response page (GET the link, POST the answer, through django.test.Client). Targets: 10,000
emails in well under a minute; at least 1,000 responses a minute.
"""

from __future__ import annotations

import argparse
import datetime
import re
import resource
import sys
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "keyline_bench_surveys"
LINK = re.compile(r"/r/([^/\s]+)/")
SENT: list[str] = []  # the tokens of the emailed links, for the response phase


class RenderingBackend(BaseEmailBackend):
    """Renders every message to the bytes an SMTP server would receive, keeps only its link."""

    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        for message in email_messages:
            message.message().as_bytes()
            SENT.append(LINK.search(message.body).group(1))
        return len(email_messages)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--responses", type=int, default=1_000)
    options = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    import os

    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    from bench.common import setup_django

    setup_django(DATABASE)
    from django.conf import settings
    from django.db import connection, transaction
    from django.test import Client as HttpClient
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.urls import reverse
    from django.utils import timezone

    from accounts.models import Role, User
    from listening.models import FollowUp, Invitation, Response, Survey
    from listening.services.surveys import survey_create, survey_invite, survey_send
    from stakeholders.models import Stakeholder
    from tests.factories import ClientFactory, UserFactory

    Response.objects.all().delete()
    Invitation.objects.all().delete()
    Survey.objects.all().delete()
    bd = User.objects.filter(email="bench-bd@firm.example").first() or UserFactory(
        email="bench-bd@firm.example", role=Role.BD
    )
    clients = list(
        ClientFactory._meta.model.objects.filter(name__startswith="Bench survey client")  # type: ignore[attr-defined]
    )
    if not clients:
        crp = UserFactory()
        clients = [ClientFactory(name=f"Bench survey client {i:02d}", crp=crp) for i in range(50)]
    people = list(Stakeholder.objects.filter(client__in=clients, email__endswith="@bench.example"))
    if len(people) < options.recipients:
        Stakeholder.objects.bulk_create(
            [
                Stakeholder(
                    client=clients[i % len(clients)],
                    name=f"Person {i}",
                    email=f"person{i}@bench.example",
                    buying_role="decision_maker",
                )
                for i in range(len(people), options.recipients)
            ]
        )
        people = list(Stakeholder.objects.filter(client__in=clients, email__endswith="@bench.example"))
    people = people[: options.recipients]

    # Autovacuum is off on this machine: give the planner statistics for the seeded tables, as a
    # production database would have. And resolve a URL once, as a long-running worker has: the first
    # lookup in a process imports every URL module.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    reverse("survey-respond", args=["warm-up"])
    survey = survey_create(
        actor=bd,
        name="Bench survey",
        closes_on=timezone.localdate() + datetime.timedelta(days=30),
        asks_nps=True,
        asks_csat=True,
    )
    started = time.perf_counter()
    report = survey_invite(actor=bd, survey=survey, stakeholders=people)
    invited = time.perf_counter() - started
    mailers = {"default": {"BACKEND": "bench.bench_surveys.RenderingBackend"}}
    started, cpu_started = time.perf_counter(), time.process_time()
    with override_settings(MAILERS=mailers), transaction.atomic():
        survey_send(actor=bd, survey=survey)  # the batches run (in-process) when this commits
    sending, sending_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    sending_load = os.getloadavg()[0]
    from bench import bench_surveys

    tokens = bench_surveys.SENT
    print(f"recipients added:  {report.invited:,} in {invited:.1f} s")
    print(f"emails queued and rendered: {len(tokens):,} in {sending:.1f} s ({len(tokens) / sending:,.0f} a second)")
    print(
        f"  of which this process's CPU: {sending_cpu:.1f} s "
        f"({sending_cpu * 1000 / max(len(tokens), 1):.2f} ms an email); "
        f"load average {sending_load:.1f} on {os.cpu_count()} cores"
    )
    print(f"peak memory:       {peak_mb():.0f} MB")

    # In production the recompute an answer asks for runs on a worker, debounced: the web request only
    # queues it. Here the broker is in memory, so stop running queued tasks in this process.
    from config.celery import app

    app.conf.task_always_eager = False
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    http = HttpClient()
    answered = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    with override_settings(LISTENING_REQUESTS_PER_ADDRESS=10**9):
        from listening import public

        public.PUBLIC_REQUESTS = type(public.PUBLIC_REQUESTS)("bench", 10**9, 60)
        for n, token in enumerate(tokens[: options.responses]):
            assert http.get(f"/r/{token}/").status_code == 200
            response = http.post(f"/r/{token}/", {"nps": str(n % 11), "csat": str(1 + n % 5), "comment": "Bench"})
            assert response.status_code == 200, response.status_code
            answered += 1
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        follow_ups = FollowUp.objects.filter(response__survey=survey).count()
        costs = []
        for nps in ("9", "3"):  # a promoter's answer, then a detractor's (which opens a follow-up)
            token = tokens[answered]
            answered += 1
            with CaptureQueriesContext(connection) as get_queries:
                http.get(f"/r/{token}/")
            with CaptureQueriesContext(connection) as post_queries:
                http.post(f"/r/{token}/", {"nps": nps, "csat": "4"})
            costs.append(f"NPS {nps}: GET {len(get_queries)}, POST {len(post_queries)}")
        answered -= 2
    print(
        f"responses recorded through the public page: {answered:,} in {elapsed:.1f} s "
        f"({answered * 60 / elapsed:,.0f} a minute; GET and POST each; scores spread evenly over 0-10, "
        f"so {follow_ups:,} follow-ups opened)"
    )
    print(
        f"  of which this process's CPU: {cpu * 1000 / answered:.0f} ms a response "
        f"({answered * 60 / cpu:,.0f} a minute for each core the web server has); "
        f"load average while measuring {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print("queries per request: " + "; ".join(costs))
    print(f"peak memory:       {peak_mb():.0f} MB")
    print(f"(batch size {settings.LISTENING_SEND_BATCH})")


if __name__ == "__main__":
    main()
