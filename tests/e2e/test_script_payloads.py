"""User-typed text is shown as text: script payloads in free-text fields never run in a real browser."""

from playwright.sync_api import expect

from tests.factories import ClientFactory, FeeRecordFactory, ServiceLineFactory

PAYLOADS = [
    "<script>window.__pwned = 1</script>",
    '"><img src=x onerror="window.__pwned = 2">',
    "<svg onload=window.__pwned=3>",
    "javascript:window.__pwned=4",
]


def test_script_payloads_in_client_fields_do_not_run(page, log_in, alice):
    client = ClientFactory(
        name=f"Payload {PAYLOADS[0]}", crp=alice, sector=PAYLOADS[1], country=PAYLOADS[2], notes="\n".join(PAYLOADS)
    )
    FeeRecordFactory(client=client, service_line=ServiceLineFactory(name=f"Line {PAYLOADS[1]}"))
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(alice)
    for url in ["/clients/", f"/clients/{client.pk}/", f"/clients/{client.pk}/edit/", "/clients/?q=Payload"]:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__pwned") is None, url
    page.goto(f"/clients/{client.pk}/")
    expect(page.get_by_test_id("client-notes")).to_contain_text("<script>window.__pwned = 1</script>")
    assert dialogs == []


def test_script_payloads_in_stakeholder_plan_and_interaction_text_do_not_run(page, log_in, alice):
    from django.db import transaction

    from planning.models import Risk
    from tests.factories import (
        AccountPlanFactory,
        ActionFactory,
        InteractionFactory,
        ObjectiveFactory,
        StakeholderFactory,
    )

    with transaction.atomic():
        client = ClientFactory(name="Payload Holdings plc", crp=alice)
    person = StakeholderFactory(
        client=client,
        name=f"Pat {PAYLOADS[0]}",
        job_title=PAYLOADS[1],
        department=PAYLOADS[2],
        notes="\n".join(PAYLOADS),
        seniority="board",
    )
    interaction = InteractionFactory(client=client, firm_attendees=[alice], summary=PAYLOADS[1], follow_up=PAYLOADS[0])
    interaction.stakeholders.add(person)
    plan = AccountPlanFactory(
        client=client, north_star=PAYLOADS[0], value_proposition=PAYLOADS[1], relationship_objectives=PAYLOADS[2]
    )
    ObjectiveFactory(plan=plan, title=PAYLOADS[1], kpi=PAYLOADS[2])
    ActionFactory(plan=plan, owner=alice, description=PAYLOADS[0])
    Risk.objects.create(client=client, title=PAYLOADS[2], category="competitor", mitigation=PAYLOADS[0])
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(alice)
    for url in [
        f"/clients/{client.pk}/",
        f"/stakeholders/{person.pk}/",
        f"/clients/{client.pk}/stakeholders/",
        f"/clients/{client.pk}/stakeholders/map/",
        f"/clients/{client.pk}/stakeholders/gaps/",
        f"/clients/{client.pk}/stakeholders/matrix/",
        f"/clients/{client.pk}/interactions/",
        f"/plans/{plan.pk}/",
        "/my/actions/",
        "/home/",
        "/dashboard/?q=Payload",
        "/who-knows-whom/?q=Pat",
    ]:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__pwned") is None, url
    assert dialogs == []
