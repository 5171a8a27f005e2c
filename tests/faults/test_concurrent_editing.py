"""Twenty people edit the same records at once through the API: every save that succeeded is stored
and in the history, every refused save was told (412), and nothing is lost."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

import pytest
from pghistory.models import Events

from accounts.models import Client
from accounts.services_tokens import api_token_create
from tests.factories import ClientFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

USERS = 20
SECONDS = 6.0


def request(method: str, url: str, token: str, body: dict | None = None, if_match: str | None = None):
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    if if_match:
        headers["If-Match"] = if_match
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, response.headers.get("ETag"), json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, None, {}


def hammer(url: str, field: str, tokens: list[str]) -> tuple[Counter, list[str]]:
    """Each user loops: read, then write their own value with the ETag they read."""
    outcomes: Counter = Counter()
    saved_values: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + SECONDS

    def user(index: int, token: str) -> None:
        attempt = 0
        while time.monotonic() < deadline:
            attempt += 1
            status, etag, _ = request("GET", url, token)
            value = f"user {index} attempt {attempt}"
            status, _, _ = request("PATCH", url, token, {field: value}, if_match=etag)
            with lock:
                outcomes[status] += 1
                if status == 200:
                    saved_values.append(value)

    threads = [threading.Thread(target=user, args=(i, t)) for i, t in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes, saved_values


def test_concurrent_client_edits_lose_nothing(live_server):
    editors = [UserFactory(role="managing_partner") for _ in range(USERS)]
    client = ClientFactory(name="Contended plc", crp=editors[0])
    tokens = [api_token_create(actor=user, name="load")[1] for user in editors]

    outcomes, saved = hammer(f"{live_server.url}/api/clients/{client.pk}/", "notes", tokens)

    assert set(outcomes) <= {200, 412}, outcomes  # nothing but "saved" or "told it was stale"
    assert outcomes[200] >= 1 and outcomes[412] >= 1
    client.refresh_from_db()
    assert client.version == 1 + outcomes[200]  # every successful save counted exactly once
    updates = Events.objects.tracks(client).filter(pgh_label="update")
    assert client.notes == updates.order_by("-pgh_id").first().pgh_data["notes"]  # the last save won
    recorded = [event.pgh_data["notes"] for event in updates]
    assert sorted(recorded) == sorted(saved)  # every successful save is in the history
    print(
        f"\nconcurrent edits: {sum(outcomes.values())} attempts, {outcomes[200]} saved, "
        f"{outcomes[412]} refused as stale, 0 lost"
    )
    assert Client.objects.filter(pk=client.pk).count() == 1


def test_concurrent_action_and_objective_edits_lose_nothing(live_server):
    from planning.models import Action, Objective
    from tests.factories import AccountPlanFactory, ActionFactory, ObjectiveFactory

    editors = [UserFactory(role="managing_partner") for _ in range(USERS)]
    plan = AccountPlanFactory(client=ClientFactory(name="Contended Plans plc", crp=editors[0]))
    action = ActionFactory(plan=plan, owner=editors[0], description="Start")
    objective = ObjectiveFactory(plan=plan, title="Start")
    tokens = [api_token_create(actor=user, name="load")[1] for user in editors]

    for model, obj, url, field in [
        (Action, action, f"/api/actions/{action.pk}/", "description"),
        (Objective, objective, f"/api/objectives/{objective.pk}/", "title"),
    ]:
        outcomes, saved = hammer(f"{live_server.url}{url}", field, tokens)
        assert set(outcomes) <= {200, 412}, (url, outcomes)
        obj.refresh_from_db()
        assert obj.version == 1 + outcomes[200]
        recorded = [e.pgh_data[field] for e in Events.objects.tracks(obj).filter(pgh_label="update")]
        assert sorted(recorded) == sorted(saved)
        print(
            f"\n{model.__name__}: {sum(outcomes.values())} attempts, {outcomes[200]} saved, "
            f"{outcomes[412]} refused as stale, 0 lost"
        )
