"""Two workers firing a scheduled programme at once send one survey: the second one's run row waits on
the first's, and finds it taken once the first commits. Real connections, real locks."""

import threading
import time

import pytest
from django.core import mail
from django.db import connection, connections, transaction

from listening.models import ProgrammeRun, Survey
from listening.services.programmes import programme_fire_for_client, programme_save
from listening.tasks import fire_scheduled_programmes
from tests.dates import today
from tests.factories import StakeholderFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # inside a transaction the view is read once
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def test_a_second_worker_running_while_the_first_sends_sends_nothing(carol, normal_client):
    programme = programme_save(actor=carol, name="Twice-yearly", trigger="schedule", every_months=6, asks_nps=True)
    dana = StakeholderFactory(client=normal_client, email="dana@harbour.example", buying_role="decision_maker")
    result: dict[str, object] = {}

    def second_worker() -> None:
        try:
            result["made"] = fire_scheduled_programmes()
        except BaseException as error:  # reported by the test, not lost in the thread
            result["error"] = error
        finally:
            connections.close_all()

    with transaction.atomic():  # the first worker, mid-send
        assert programme_fire_for_client(
            programme=programme, client=normal_client, period_start=today(), people=[dana], today=today()
        )
        thread = threading.Thread(target=second_worker)
        thread.start()
        deadline = time.monotonic() + 10
        while not _waiting_on_a_lock() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _waiting_on_a_lock(), f"the second worker should wait on the first one's run: {result}"
    thread.join(10)
    assert result == {"made": 0}
    assert ProgrammeRun.objects.count() == 1 and Survey.objects.count() == 1
    assert [message.to for message in mail.outbox] == [["dana@harbour.example"]]
