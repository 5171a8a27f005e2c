"""The review queues, uploads, client-page settings and the status page, as people use them."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from capture.models import CapturedMessage, CaptureExclusion, ClientEmailDomain, Outcome, ReviewItem, Suppression
from capture.services.uploads import upload_capture
from stakeholders.models import Interaction, InteractionSource
from stakeholders.privacy import stakeholder_erase, stakeholder_personal_data
from stakeholders.selectors.coverage import GapKind
from tests.capture.conftest import CAPTURE, invite, mail
from tests.factories import ClientFactory, StakeholderFactory

pytestmark = pytest.mark.django_db


def eml(message) -> SimpleUploadedFile:
    return SimpleUploadedFile("message.eml", bytes(message), content_type="message/rfc822")


def ics(raw: bytes, name: str = "meeting.ics") -> SimpleUploadedFile:
    part = raw.split(b"BEGIN:VCALENDAR", 1)[1].split(b"END:VCALENDAR", 1)[0]
    return SimpleUploadedFile(name, b"BEGIN:VCALENDAR" + part + b"END:VCALENDAR\r\n", content_type="text/calendar")


def capture_mail(actor, **kwargs):
    return upload_capture(actor=actor, upload=eml(mail(**kwargs)))


def test_a_proposed_stakeholder_is_accepted_in_one_click_and_their_coverage_gap_closes(login, alice, harbour):
    cfo = StakeholderFactory(client=harbour, name="James Wilde", seniority="c_suite", email="")
    gaps_before = _gap_kinds(login(alice), harbour, cfo)
    assert GapKind.NOT_CONTACTED in gaps_before
    capture_mail(alice, sender=alice.email, to=["James Wilde <james.wilde@harbour.example>"], cc=[CAPTURE])
    item = ReviewItem.objects.get()
    assert item.same_as == cfo

    page = login(alice).get("/review/")
    assert "Same person as James Wilde" in page.content.decode()
    response = login(alice).post(f"/review/{item.pk}/accept/")

    assert response.status_code == 302
    cfo.refresh_from_db()
    assert cfo.email == "james.wilde@harbour.example"
    assert Interaction.objects.get().stakeholders.filter(pk=cfo.pk).exists()
    assert GapKind.NOT_CONTACTED not in _gap_kinds(login(alice), harbour, cfo)
    assert "Nothing waiting" in login(alice).get("/review/").content.decode()


def _gap_kinds(http, client, person) -> set[str]:
    response = http.get(f"/clients/{client.pk}/stakeholders/gaps/")
    return {gap.kind for gap in response.context["gaps"] if gap.stakeholder.pk == person.pk}


def test_a_new_person_is_added_as_a_stakeholder_on_the_interaction(login, alice, harbour):
    capture_mail(alice, sender=alice.email, to=['"Wilde, James" <james@harbour.example>'])
    item = ReviewItem.objects.get()
    login(alice).post(f"/review/{item.pk}/accept/")
    person = harbour.stakeholders.get(email="james@harbour.example")
    assert person.name == "James Wilde"
    assert list(Interaction.objects.get().stakeholders.all()) == [person]


def test_the_partner_home_counts_items_waiting(login, alice, harbour):
    capture_mail(alice, sender=alice.email, to=["new@harbour.example"])
    page = login(alice).get(reverse("partner-home"))
    assert "1 captured item waiting for your review" in page.content.decode()


def test_outsiders_neither_see_nor_decide_a_confidential_clients_items(login, alice, bob, carol, nightjar):
    capture_mail(alice, sender=alice.email, to=["new.person@nightjar.example"])
    item = ReviewItem.objects.get()
    for outsider in (bob, carol):
        assert nightjar.name not in login(outsider).get("/review/").content.decode()
        assert login(outsider).post(f"/review/{item.pk}/accept/").status_code == 404
    assert login(carol).get("/review/all/").status_code == 200
    assert nightjar.name not in login(carol).get("/review/all/").content.decode()
    assert item.name in login(alice).get("/review/").content.decode()


def test_the_firms_queue_is_not_for_partners(login, alice):
    assert login(alice).get("/review/all/").status_code == 403


def test_an_uploaded_invite_records_the_meeting_once_and_its_cancellation_withdraws_it(login, alice, harbour):
    start = timezone.now() - datetime.timedelta(days=1)
    raw = invite(organizer=alice.email, attendees=["hannah@harbour.example"], start=start, uid="up-1")
    http = login(alice)
    first = http.post("/capture/upload/", {"file": ics(raw)})
    again = http.post("/capture/upload/", {"file": ics(raw)})

    assert first.status_code == again.status_code == 200
    meeting = Interaction.objects.get()
    assert (meeting.source, meeting.kind) == (InteractionSource.INVITE, "meeting")
    cancel = invite(organizer=alice.email, attendees=[], start=start, uid="up-1", sequence=1, method="CANCEL")
    http.post("/capture/upload/", {"file": ics(cancel)})
    assert not Interaction.objects.exists()


def test_a_calendar_export_records_each_past_meeting(alice, harbour):
    start = timezone.now() - datetime.timedelta(days=10)
    events = [
        invite(organizer=alice.email, attendees=["hannah@harbour.example"], start=start, uid=f"e{n}") for n in range(3)
    ]
    bodies = [e.split(b"BEGIN:VEVENT", 1)[1].split(b"END:VEVENT", 1)[0] for e in events]
    calendar = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\n"
        + b"".join(b"BEGIN:VEVENT" + body + b"END:VEVENT\r\n" for body in bodies)
        + b"END:VCALENDAR\r\n"
    )
    result = upload_capture(actor=alice, upload=SimpleUploadedFile("export.ics", calendar))
    assert Interaction.objects.count() == 3
    assert result.reason.startswith("3 meetings")


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("notes.txt", b"hello", "Choose an .ics (calendar) or .eml (email) file."),
        ("broken.ics", b"not a calendar", "This is not a calendar (.ics) file"),
        ("empty.eml", b"", "The submitted file is empty."),
    ],
)
def test_a_bad_upload_gets_a_field_error_and_changes_nothing(login, alice, harbour, name, content, error):
    response = login(alice).post("/capture/upload/", {"file": SimpleUploadedFile(name, content)})
    assert error in " ".join(response.context["form"].errors["file"])
    assert not CapturedMessage.objects.exists() and not Interaction.objects.exists()


def test_an_uploaded_email_names_the_uploader_as_the_firm_side(carol, alice, harbour):
    captured = capture_mail(alice, sender="hannah@harbour.example", to=[alice.email], subject="Fee proposal")
    assert captured.outcome == Outcome.CREATED
    interaction = Interaction.objects.get()
    assert list(interaction.firm_attendees.all()) == [alice]


def test_an_erased_person_is_never_captured_again_and_their_proposal_goes(alice, harbour):
    person = harbour.stakeholders.get(email="hannah@harbour.example")
    capture_mail(alice, sender=alice.email, to=["hannah@harbour.example", "colleague@harbour.example"])
    exported = stakeholder_personal_data(actor=alice, stakeholder=person)
    assert exported["capture"]["captured_interactions"] == 1
    assert exported["interactions"][0]["source"] == "Mailbox"

    stakeholder_erase(actor=alice, stakeholder=person)
    assert Suppression.objects.count() == 1
    capture_mail(alice, sender=alice.email, to=["hannah@harbour.example"], subject="After erasure")

    assert not ReviewItem.objects.filter(email="hannah@harbour.example").exists()
    assert "hannah" not in str(list(ReviewItem.objects.values_list("name", "email")))


def test_dismissing_for_good_suppresses_the_address(login, alice, harbour):
    capture_mail(alice, sender=alice.email, to=["objector@harbour.example"])
    item = ReviewItem.objects.get()
    login(alice).post(f"/review/{item.pk}/dismiss/", {"never_again": "1"})
    capture_mail(alice, sender=alice.email, to=["objector@harbour.example"], subject="Again")
    assert ReviewItem.objects.filter(status="open").count() == 0


def test_capture_off_for_a_client_skips_its_mail(login, alice, harbour):
    login(alice).post(f"/clients/{harbour.pk}/capture/switch/", {"off": "on", "reason": "Client forbids it"})
    assert CaptureExclusion.objects.filter(client=harbour).exists()
    captured = capture_mail(alice, sender=alice.email, to=["hannah@harbour.example"])
    assert (captured.outcome, captured.reason) == (Outcome.SKIPPED, "Capture is off for this client.")
    assert not Interaction.objects.exists()


def test_a_mail_domain_is_added_on_the_client_page_and_bad_input_is_refused(login, carol, harbour):
    http = login(carol)
    http.post(f"/clients/{harbour.pk}/capture/domains/", {"domain": "@Harbour-Group.com"})
    bad = http.post(f"/clients/{harbour.pk}/capture/domains/", {"domain": "not a domain"}, follow=True)
    assert "Enter a mail domain" in bad.content.decode()
    assert sorted(ClientEmailDomain.objects.filter(client=harbour).values_list("domain", flat=True)) == [
        "harbour-group.com",
        "harbour.example",
    ]
    page = http.get(f"/clients/{harbour.pk}/")
    assert "harbour-group.com" in page.content.decode()


def test_an_unknown_client_is_filed_in_one_click_and_its_domain_remembered(login, alice, harbour):
    other = ClientFactory(name="Lighthouse Ltd", crp=alice)
    capture_mail(alice, sender=alice.email, to=["pat@lighthouse.example"], subject="Intro")
    item = ReviewItem.objects.get(kind="unknown_client")
    login(alice).post(f"/review/{item.pk}/file/", {"client": other.pk, "remember": "1"})
    assert Interaction.objects.get().client == other
    assert ClientEmailDomain.objects.filter(client=other, domain="lighthouse.example").exists()
    assert ReviewItem.objects.filter(kind="proposed_stakeholder", client=other, email="pat@lighthouse.example").exists()


def test_a_message_naming_two_clients_waits_for_a_choice(login, alice, harbour):
    other = ClientFactory(name="Lighthouse Ltd", crp=alice)
    ClientEmailDomain.objects.create(client=other, domain="lighthouse.example")
    capture_mail(alice, sender=alice.email, to=["hannah@harbour.example", "pat@lighthouse.example"])
    item = ReviewItem.objects.get(kind="two_clients")
    assert not Interaction.objects.exists()
    login(alice).post(f"/review/{item.pk}/file/", {"client": harbour.pk})
    assert Interaction.objects.get().client == harbour


def test_the_status_page_is_for_administrators_and_shows_the_log(login, alice, ada, harbour):
    capture_mail(alice, sender=alice.email, to=["hannah@harbour.example"])
    assert login(alice).get("/capture/status/").status_code == 403
    page = login(ada).get("/capture/status/").content.decode()
    assert "Interaction created" in page and harbour.name in page


def test_the_timeline_shows_where_each_interaction_came_from(login, alice, harbour):
    capture_mail(alice, sender=alice.email, to=["hannah@harbour.example"])
    page = login(alice).get(f"/clients/{harbour.pk}/interactions/").content.decode()
    assert "source-mailbox" in page and ">Mailbox<" in page


def test_erasure_removes_the_person_from_items_still_waiting(alice, harbour):
    other = ClientFactory(name="Lighthouse Ltd", crp=alice)
    ClientEmailDomain.objects.create(client=other, domain="lighthouse.example")
    capture_mail(alice, sender=alice.email, to=["hannah@harbour.example", "pat@lighthouse.example"])
    person = harbour.stakeholders.get(email="hannah@harbour.example")

    stakeholder_erase(actor=alice, stakeholder=person)

    item = ReviewItem.objects.get(kind="two_clients")
    assert "hannah@harbour.example" not in str(item.payload)
    assert "pat@lighthouse.example" in item.payload["addresses"]


def test_mail_from_the_capture_address_itself_is_a_loop_and_skipped(alice, harbour, settings):
    settings.CAPTURE_ADDRESS = CAPTURE
    captured = capture_mail(alice, sender=CAPTURE, to=["hannah@harbour.example"])
    assert (captured.outcome, captured.reason) == (
        Outcome.SKIPPED,
        "Mail loop: the message comes from the capture address itself.",
    )


def test_no_text_is_kept_unless_the_firm_turns_snippets_on(alice, harbour, settings):
    body = "Agreed on the fee cap.\n\nKind regards\nAlice\n\n> On Monday Hannah wrote:\n> the old text"
    assert capture_mail(alice, sender=alice.email, to=["hannah@harbour.example"], body=body).snippet == ""
    settings.CAPTURE_STORE_SNIPPET = True
    kept = capture_mail(alice, sender=alice.email, to=["hannah@harbour.example"], body=body, subject="Fees")
    assert kept.snippet == "Agreed on the fee cap."


def test_a_captured_interaction_has_its_sentiment_set_in_one_click_from_the_timeline(login, alice, bob, harbour):
    capture_mail(alice, sender=alice.email, to=["hannah@harbour.example"], subject="Budget")
    captured = Interaction.objects.get()
    assert captured.sentiment == 0
    http = login(alice)
    page = http.get(f"/clients/{harbour.pk}/interactions/").content.decode()
    url = f"/clients/{harbour.pk}/interactions/{captured.pk}/sentiment/"
    assert f'hx-post="{url}"' in page and 'aria-label="Sentiment +2"' in page

    response = http.post(url, {"sentiment": "2"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    row = response.content.decode()
    assert f'id="interaction-{captured.pk}"' in row and "sentiment +2" in row
    assert 'aria-pressed="true" aria-label="Sentiment +2"' in row
    captured.refresh_from_db()
    assert captured.sentiment == 2
    from pghistory.models import MiddlewareEvents

    event = MiddlewareEvents.objects.tracks(captured).filter(pgh_label="update").get()
    assert event.user == alice and event.pgh_diff["sentiment"] == [0, 2]


def test_setting_sentiment_refuses_bad_input_and_people_who_may_not_edit(login, alice, bob, harbour):
    capture_mail(alice, sender=alice.email, to=["hannah@harbour.example"])
    captured = Interaction.objects.get()
    url = f"/clients/{harbour.pk}/interactions/{captured.pk}/sentiment/"

    assert login(alice).post(url, {"sentiment": "7"}, HTTP_HX_REQUEST="true").status_code == 400
    assert login(alice).post(url, {"sentiment": "x"}, follow=True).status_code == 200
    assert login(bob).post(url, {"sentiment": "1"}).status_code == 403
    other = ClientFactory(name="Lighthouse Ltd", crp=alice)
    assert (
        login(alice).post(f"/clients/{other.pk}/interactions/{captured.pk}/sentiment/", {"sentiment": "1"}).status_code
        == 404
    )
    captured.refresh_from_db()
    assert captured.sentiment == 0


def test_a_typed_interaction_keeps_the_timeline_as_it_was(login, alice, harbour):
    from stakeholders.services import interaction_log

    interaction_log(actor=alice, client=harbour, date=timezone.localdate(), summary="Lunch", firm_attendees=[alice])
    page = login(alice).get(f"/clients/{harbour.pk}/interactions/").content.decode()
    assert "Lunch" in page and "Set sentiment" not in page


def test_mail_domain_edits_are_kept_in_history_with_who_made_them(login, carol, harbour):
    http = login(carol)
    http.post(f"/clients/{harbour.pk}/capture/domains/", {"domain": "harbour-group.com"})
    added = ClientEmailDomain.objects.get(domain="harbour-group.com")
    http.post(f"/capture/domains/{added.pk}/remove/")
    http.post(f"/clients/{harbour.pk}/capture/switch/", {"off": "on", "reason": "Client forbids it"})

    from pghistory.models import MiddlewareEvents

    events = MiddlewareEvents.objects.tracks(added).order_by("pgh_created_at")
    assert [(e.pgh_label, e.pgh_data["domain"], e.user) for e in events] == [
        ("insert", "harbour-group.com", carol),
        ("delete", "harbour-group.com", carol),
    ]
    exclusion = CaptureExclusion.objects.get(client=harbour)
    assert [(e.pgh_label, e.user) for e in MiddlewareEvents.objects.tracks(exclusion)] == [("insert", carol)]
