"""The plan page hints at hard-to-read text where partners write it, and still saves it."""

import pytest
from django.urls import reverse

from core.readability import readability_hint
from tests.factories import ObjectiveFactory

pytestmark = pytest.mark.django_db

LONG = (
    "Our relationship objective for the coming financial year is to deepen and broaden the "
    "firm's engagement with the client's executive committee, its regional leadership teams "
    "and the operating subsidiaries so that we are consulted early on every significant "
    "transaction, dispute and regulatory matter that could affect the group's strategy."
)  # one sentence of 49 words


def save_summary(client, plan, **texts):
    return client.post(
        reverse("plan-summary-edit", args=[plan.pk]),
        {
            "north_star": "",
            "relationship_objectives": "",
            "value_proposition": "",
            "persona": "",
            "last_reviewed": "",
            "version": plan.version,
            **texts,
        },
        HTTP_HX_REQUEST="true",
    )


def test_a_49_word_sentence_is_saved_with_a_hint_beside_it(plan, alice, login):
    response = save_summary(login(alice), plan, relationship_objectives=LONG)
    page = response.content.decode()
    plan.refresh_from_db()
    assert plan.relationship_objectives == LONG  # a hint, not a refusal
    assert 'data-testid="readability-hint"' in page
    assert "1 sentence runs past 25 words (the longest has 49)" in page


def test_plain_text_gets_no_hint(plan, alice, login):
    response = save_summary(login(alice), plan, north_star="Grow in Asia. Win the tax work.")
    assert "readability-hint" not in response.content.decode()


def test_the_summary_editor_shows_the_hint_for_the_text_being_edited(plan, alice, login):
    plan.relationship_objectives = LONG
    plan.save()
    response = login(alice).get(reverse("plan-summary-edit", args=[plan.pk]), HTTP_HX_REQUEST="true")
    assert "Relationship objectives: Hard to read" in response.content.decode()


def test_a_long_objective_gets_the_hint_on_the_plan_page(plan, alice, login):
    ObjectiveFactory(plan=plan, title=LONG[:300])
    response = login(alice).get(plan.get_absolute_url())
    assert 'data-testid="readability-hint"' in response.content.decode()


def test_the_plan_page_and_the_pdf_flag_the_same_text():
    from reports.pdf.text import readability

    assert readability("plan", LONG).hard_to_read
    assert readability_hint(LONG).startswith("Hard to read:")
    assert readability_hint("Grow in Asia.") == ""
