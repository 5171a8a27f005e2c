"""A health drop opens the recovery playbook; the CRP hears of it, discusses it with a mention,
attaches the recovery plan (scanned by a real ClamAV) and closes the actions, in a real browser."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from health.formula import ScoreResult
from health.services.alerts import alerts_raise
from planning.models import Action, ActionStatus
from tests.factories import (
    PASSWORD,
    AccountPlanFactory,
    ClientFactory,
    HealthScoreFactory,
    ScorecardFactory,
    UserFactory,
)
from tests.workflow.conftest import clamd, scanner_on  # noqa: F401  (fixtures: a real clamd for the upload)
from workflow.defaults import playbooks_install_defaults
from workflow.models import Comment, DocumentVersion, ScanStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
RECOVERY = "Red client: recovery plan"


def log_in(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def test_a_health_drop_runs_the_recovery_playbook_to_its_end(page, live_server, scanner_on, tmp_path):  # noqa: F811
    alice = UserFactory(email="alice@firm.example", full_name="Alice Partner")
    carol = UserFactory(email="carol@firm.example", full_name="Carol Bd", role="bd")
    with transaction.atomic():
        client = ClientFactory(name="Harbour Energy plc", crp=alice)
    AccountPlanFactory(client=client, status="active")
    playbooks_install_defaults()
    today = timezone.localdate()
    HealthScoreFactory(
        client=client,
        scorecard=ScorecardFactory(),
        score=Decimal(78),
        band="green",
        as_of=today - datetime.timedelta(days=9),
    )
    with transaction.atomic():  # the nightly recompute's alert; the playbook runs once it commits
        alerts_raise(results={client.pk: ScoreResult(score=34.0, band="red", coverage=1.0)}, as_of=today, email=False)

    # The CRP is told what is now theirs.
    log_in(page, live_server, alice)
    page.click("[data-testid=nav-notifications]")
    page.get_by_text("Assigned to you: Write the recovery plan and agree it with the team").first.wait_for()

    # The client page shows the playbook's run and its actions.
    page.goto(f"{live_server.url}/clients/{client.pk}/")
    run = page.locator("[data-testid=playbook-run]", has_text=RECOVERY)
    run.get_by_text("0 of 4 done").wait_for()

    # A comment with a mention.
    form = page.locator("#comments [data-testid=comment-form]")
    form.locator("textarea[name=body]").fill("@Carol Bd please book the client review for the recovery plan")
    form.get_by_role("button", name="Post comment").click()
    page.locator("[data-testid=comment]", has_text="please book the client review").wait_for()
    assert list(Comment.objects.get().mentions.all()) == [carol]

    # The recovery plan is attached, scanned and downloadable.
    page.goto(f"{live_server.url}/clients/{client.pk}/")
    page.get_by_role("link", name="Attach a document").click()
    upload = tmp_path / "Recovery plan.pdf"
    upload.write_bytes(PDF)
    page.set_input_files("input[name=file]", str(upload))
    page.fill("input[name=title]", "Recovery plan")
    page.select_option("select[name=kind]", "plan")
    page.get_by_role("button", name="Attach").click()
    page.get_by_text("Scanned, clean").wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="Recovery plan.pdf").click()
    assert download.value.suggested_filename == "Recovery plan.pdf"
    assert DocumentVersion.objects.get().scan_status == ScanStatus.CLEAN

    # The CRP closes the actions from My actions; the run shows them done.
    page.goto(f"{live_server.url}/my/actions/")
    playbook_rows = page.locator("[data-testid=my-action]", has_text="(Red client: recovery plan)")
    recovery = Action.objects.filter(owner=alice, playbook_link__run__playbook__name=RECOVERY)
    for _ in range(recovery.count()):
        playbook_rows.first.get_by_role("button", name="Mark done").click()
        page.wait_for_load_state("networkidle")
    assert not recovery.filter(status=ActionStatus.OPEN).exists()
    page.goto(f"{live_server.url}/clients/{client.pk}/")
    page.locator("[data-testid=playbook-run]", has_text=RECOVERY).get_by_text("4 of 4 done").wait_for()

    # The person mentioned heard of it.
    page.context.clear_cookies()
    log_in(page, live_server, carol)
    page.click("[data-testid=nav-notifications]")
    page.get_by_text("Alice Partner mentioned you: Harbour Energy plc").wait_for()
    assert page.js_errors == []
