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
    client = ClientFactory(name=f"Payload {PAYLOADS[0]}", crp=alice, sector=PAYLOADS[1], country=PAYLOADS[2],
                           notes="\n".join(PAYLOADS))
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
