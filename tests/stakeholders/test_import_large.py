import time

import pytest

from stakeholders.models import Interaction, Stakeholder

from .test_import import run, upload  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_fifty_thousand_rows_import_without_a_row_limit(alice, normal_client, ceo, upload, run):  # noqa: F811
    lines = ["external_id,client,name,job_title,seniority,reports_to"]
    lines += [
        f"S{i},{normal_client.name},Person {i},Role {i % 40},middle,{'S' + str(i // 10) if i else ''}"
        for i in range(25_000)
    ]
    started = time.perf_counter()
    job = run(alice, upload(alice, "\n".join(lines) + "\n"), "all_or_nothing")
    people_seconds = time.perf_counter() - started
    assert (job.status, job.created) == ("done", 25_000)
    lines = ["external_id,client,date,type,summary,firm_attendees,stakeholders"]
    lines += [
        f"I{i},{normal_client.name},2025-0{1 + i % 9}-1{i % 9},call,Call {i},{alice.email},S{i % 25_000}"
        for i in range(25_000)
    ]
    job = run(alice, upload(alice, "\n".join(lines) + "\n", kind="interactions"), "all_or_nothing")
    assert (job.status, job.created) == ("done", 25_000)
    assert Stakeholder.objects.count() == 25_001 and Interaction.objects.count() == 25_000
    print(f"25k stakeholders: {people_seconds:.1f}s, total {time.perf_counter() - started:.1f}s")
