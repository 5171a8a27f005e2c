"""Comments and @mentions: the wall applies to who may be mentioned and who may read."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from accounts.models import Notification
from tests.factories import AccountPlanFactory, ActionFactory, UserFactory
from workflow.models import Comment

pytestmark = pytest.mark.django_db


def post(http, kind, pk, body, **extra):
    return http.post(f"/comments/{kind}/{pk}/", {"body": body, **extra})


def test_a_mention_notifies_the_person_with_a_link_to_the_comment(normal_client, alice, carol, login):
    response = post(login(alice), "client", normal_client.pk, "@Carol Bd can you book the QBR?")
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert list(comment.mentions.all()) == [carol]
    note = Notification.objects.get(user=carol)
    assert note.title == "Alice Partner mentioned you: Harbour Energy plc"
    assert note.url == f"/comments/client/{normal_client.pk}/#comment-{comment.pk}"
    page = login(carol).get(note.url).content.decode()
    assert "can you book the QBR?" in page


def test_mentioning_someone_outside_the_wall_is_refused_and_nothing_is_saved(
    confidential_client, crp_of_wall, bob, login
):
    response = post(login(crp_of_wall), "client", confidential_client.pk, "Ask @Bob Outsider about it")
    assert response.status_code == 400
    assert (
        "Bob Outsider cannot be mentioned here: they are outside this client&#x27;s ethical wall"
        in response.content.decode()
    )
    assert not Comment.objects.exists() and not Notification.objects.filter(user=bob).exists()


def test_an_outsider_cannot_read_or_post_on_a_confidential_clients_thread(confidential_client, crp_of_wall, bob, login):
    plan = AccountPlanFactory(client=confidential_client)
    post(login(crp_of_wall), "plan", plan.pk, "Plan comment")
    outsider = login(bob)
    assert outsider.get(f"/comments/plan/{plan.pk}/").status_code == 404
    assert post(outsider, "plan", plan.pk, "let me in").status_code == 404
    comment = Comment.objects.get()
    assert outsider.post(f"/comments/{comment.pk}/delete/").status_code == 404
    assert Comment.objects.get().body == "Plan comment"


def test_comments_on_plan_actions_thread_replies(normal_client, alice, carol, login):
    action = ActionFactory(plan=AccountPlanFactory(client=normal_client), owner=alice)
    http = login(alice)
    post(http, "action", action.pk, "Who has the fee history?")
    first = Comment.objects.get()
    post(login(carol), "action", action.pk, "I do, @Alice Partner", parent=first.pk)
    reply = Comment.objects.exclude(pk=first.pk).get()
    assert reply.parent == first
    assert Notification.objects.filter(user=alice, title__contains="mentioned you").count() == 1


def test_an_author_edits_within_the_window_only(normal_client, alice, login, settings):
    http = login(alice)
    post(http, "client", normal_client.pk, "Frist draft")
    comment = Comment.objects.get()
    http.post(f"/comments/{comment.pk}/edit/", {"body": "First draft"})
    comment.refresh_from_db()
    assert comment.body == "First draft" and comment.edited_at is not None
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=16))
    response = http.post(f"/comments/{comment.pk}/edit/", {"body": "Changed later"}, follow=True)
    assert "Comments can be edited for 15 minutes after posting" in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "First draft"


def test_someone_else_cannot_edit_a_comment(normal_client, alice, carol, login):
    post(login(alice), "client", normal_client.pk, "Mine")
    comment = Comment.objects.get()
    assert login(carol).post(f"/comments/{comment.pk}/edit/", {"body": "Yours"}).status_code == 403
    assert Comment.objects.get().body == "Mine"


def test_a_deleted_comment_leaves_a_tombstone_and_its_text_in_the_history(normal_client, alice, login):
    http = login(alice)
    post(http, "client", normal_client.pk, "Something regrettable")
    comment = Comment.objects.get()
    http.post(f"/comments/{comment.pk}/delete/")
    page = http.get(f"/comments/client/{normal_client.pk}/").content.decode()
    assert "Comment deleted by Alice Partner" in page and "Something regrettable" not in page
    history = Comment.pgh_event_model.objects.filter(pgh_obj_id=comment.pk).order_by("pgh_id")
    assert [event.body for event in history] == ["Something regrettable", ""]


def test_an_empty_or_overlong_comment_gets_a_field_error(normal_client, alice, login):
    http = login(alice)
    assert "Write something to post." in post(http, "client", normal_client.pk, "   ").content.decode()
    assert post(http, "client", normal_client.pk, "x" * 2001).status_code == 400
    assert not Comment.objects.exists()


def test_longest_name_wins_when_names_share_a_start(normal_client, alice, login):
    ann = UserFactory(full_name="Ann Lee")
    ann_leeds = UserFactory(full_name="Ann Leeds")
    post(login(alice), "client", normal_client.pk, "cc @Ann Leeds")
    assert list(Comment.objects.get().mentions.all()) == [ann_leeds]
    assert not Notification.objects.filter(user=ann).exists()
