"""Client groups: a parent at any depth, no cycles (refused by the database), and the group page's
roll-up that leaves a confidential member out of everything an outsider can read."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.models import Client
from accounts.selectors import last_complete_financial_year
from feeds import groups
from tests.factories import (
    ClientFactory,
    FeeRecordFactory,
    HealthScoreFactory,
    OpportunityFactory,
    ServiceLineFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def group_of_five(alice, crp_of_wall):
    """Kestrel Pharma Ltd over four subsidiaries, one of them behind an ethical wall."""
    year = last_complete_financial_year()
    tax, disputes = ServiceLineFactory(name="Tax"), ServiceLineFactory(name="Disputes")
    root = ClientFactory(name="Kestrel Pharma Ltd", crp=alice)
    se = ClientFactory(name="Kestrel Pharma SE", crp=alice, parent=root)
    us = ClientFactory(name="Kestrel Pharma Inc", crp=alice, parent=root)
    labs = ClientFactory(name="Kestrel Labs GmbH", crp=alice, parent=se)
    secret = ClientFactory(name="Kestrel Project Falcon", crp=crp_of_wall, parent=root, confidential=True)
    for client, amount, score in [
        (root, "100000", "80"),
        (se, "200000", "60"),
        (us, "300000", "50"),
        (labs, "400000", "70"),
        (secret, "1000000", "10"),
    ]:
        FeeRecordFactory(client=client, service_line=tax, financial_year=year, amount=Decimal(amount))
        HealthScoreFactory(client=client, score=Decimal(score))
        OpportunityFactory(client=client, service_line=disputes, estimated_fees=Decimal("10000"), probability=50)
    FeeRecordFactory(client=secret, service_line=disputes, financial_year=year, amount=Decimal("5000"))
    return {"root": root, "se": se, "us": us, "labs": labs, "secret": secret, "year": year}


def test_outsider_totals_leave_the_confidential_member_out_exactly(group_of_five, bob):
    rollup = groups.group_rollup(bob, group_of_five["root"])
    assert {m.client.name for m in rollup.members} == {
        "Kestrel Pharma Ltd",
        "Kestrel Pharma SE",
        "Kestrel Pharma Inc",
        "Kestrel Labs GmbH",
    }
    assert rollup.fee_totals[-1] == Decimal("1000000")
    assert [row["service_line"] for row in rollup.fee_rows] == ["Tax"]  # Disputes fees only at the hidden one
    assert rollup.pipeline == Decimal("40000")
    assert rollup.weighted_pipeline == Decimal("20000")
    # (80×100k + 60×200k + 50×300k + 70×400k) / 1m
    assert rollup.health == Decimal("63.0")


def test_someone_behind_the_wall_sees_the_whole_group(group_of_five, mike):
    rollup = groups.group_rollup(mike, group_of_five["root"])
    assert rollup.size == 5
    assert rollup.fee_totals[-1] == Decimal("2005000")
    assert rollup.pipeline == Decimal("50000")
    # (63×1m + 10×1.005m) / 2.005m
    assert rollup.health == (Decimal(63_000_000 + 10_050_000) / Decimal(2_005_000)).quantize(Decimal("0.1"))


def test_the_group_page_never_names_the_hidden_member_or_its_figures(group_of_five, bob, mike, login):
    page = login(bob).get(f"/clients/{group_of_five['root'].pk}/group/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Project Falcon" not in body
    assert "2,005,000" not in body and "1,000,000" in body
    assert "Disputes" not in body
    inside = login(mike).get(f"/clients/{group_of_five['root'].pk}/group/").content.decode()
    assert "Project Falcon" in inside and "2,005,000" in inside


def test_a_hidden_member_hides_its_own_subsidiaries_too(group_of_five, bob):
    under_wall = ClientFactory(name="Falcon Trading Ltd", parent=group_of_five["secret"])
    names = {m.client.name for m in groups.group_rollup(bob, group_of_five["root"]).members}
    assert under_wall.name not in names


def test_the_group_page_of_a_hidden_client_is_not_found(group_of_five, bob, login):
    assert login(bob).get(f"/clients/{group_of_five['secret'].pk}/group/").status_code == 404


def test_the_group_page_runs_a_constant_number_of_queries(group_of_five, mike, login, django_assert_max_num_queries):
    http = login(mike)
    url = f"/clients/{group_of_five['root'].pk}/group/"
    http.get(url)
    with django_assert_max_num_queries(20):
        http.get(url)
    for n in range(10):
        ClientFactory(name=f"Kestrel Branch {n}", parent=group_of_five["us"])
    with django_assert_max_num_queries(20):
        assert http.get(url).status_code == 200


def test_a_parent_cycle_is_refused_by_the_database(group_of_five):
    root, labs = group_of_five["root"], group_of_five["labs"]
    with (
        pytest.raises(IntegrityError, match="cannot sit under itself"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE accounts_client SET parent_id = %s WHERE id = %s", [labs.pk, root.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        Client.objects.filter(pk=root.pk).update(parent=root)
    assert Client.objects.get(pk=root.pk).parent_id is None


def test_the_edit_form_refuses_a_parent_below_the_client(group_of_five, mike, login):
    root, labs = group_of_five["root"], group_of_five["labs"]
    response = login(mike).post(
        f"/clients/{root.pk}/edit/",
        {
            "name": root.name,
            "tier": root.tier_id,
            "status": "active",
            "review_cadence_days": 91,
            "parent": labs.pk,
            "version": root.version,
        },
    )
    assert response.status_code == 200
    assert "cannot sit under itself or under one of its own subsidiaries" in response.content.decode()
    assert Client.objects.get(pk=root.pk).parent_id is None


def test_the_client_page_links_to_its_group(group_of_five, bob, login):
    body = login(bob).get(f"/clients/{group_of_five['labs'].pk}/").content.decode()
    assert "Kestrel Pharma Ltd group" in body


def test_the_whitespace_map_reads_by_group_without_the_hidden_member(group_of_five, bob, mike, login):
    root = group_of_five["root"]
    outsider = login(bob).get(f"/whitespace/?mine=0&group={root.pk}").content.decode()
    assert "Kestrel Labs GmbH" in outsider and "Project Falcon" not in outsider
    other = ClientFactory(name="Unrelated Shipping plc")
    assert "Unrelated Shipping" not in outsider and other.pk
    inside = login(mike).get(f"/whitespace/?mine=0&group={root.pk}").content.decode()
    assert "Project Falcon" in inside


def test_a_hidden_group_reads_like_a_missing_one(group_of_five, bob, login):
    http = login(bob)
    hidden = http.get(f"/whitespace/?mine=0&group={group_of_five['secret'].pk}").content.decode()
    missing = http.get("/whitespace/?mine=0&group=999999").content.decode()
    assert "Kestrel" not in hidden and "No clients match these filters" in hidden

    def same(body: str, pk: str) -> str:
        table = body.split('data-testid="whitespace-table"')[1].split("</table>")[0]
        return table.replace(pk, "X")

    assert same(hidden, str(group_of_five["secret"].pk)) == same(missing, "999999")


def test_a_parent_whose_only_member_is_hidden_shows_no_group_to_outsiders(bob, mike, crp_of_wall, login):
    parent = ClientFactory(name="Osprey Holdings plc")
    ClientFactory(name="Osprey Secret Bidco", parent=parent, confidential=True, crp=crp_of_wall)
    assert "Osprey Holdings plc group" not in login(bob).get(parent.get_absolute_url()).content.decode()
    assert "Osprey Holdings plc group" in login(mike).get(parent.get_absolute_url()).content.decode()


def test_the_client_page_finds_its_group_in_constant_queries(group_of_five, bob, login, django_assert_max_num_queries):
    http = login(bob)
    http.get(group_of_five["labs"].get_absolute_url())
    with django_assert_max_num_queries(60) as shallow:
        http.get(group_of_five["labs"].get_absolute_url())
    deeper = group_of_five["labs"]
    for n in range(5):
        deeper = ClientFactory(name=f"Kestrel Level {n}", parent=deeper)
    with django_assert_max_num_queries(len(shallow.captured_queries)):
        assert "Kestrel Pharma Ltd group" in http.get(deeper.get_absolute_url()).content.decode()


def test_a_quarterly_pack_reads_by_group_with_the_wall_per_member(group_of_five, bob, mike):
    from django.core.exceptions import ValidationError

    from reports.pdf.scopes import NOTHING_TO_SHOW, resolve_pack_scope
    from reports.pdf.selectors import scope_choices

    g = group_of_five
    scope = {"type": "client_group", "id": g["root"].pk}
    outsider = resolve_pack_scope(bob, scope)
    assert outsider.label == "Kestrel Pharma Ltd group"
    assert outsider.client_ids == sorted(g[k].pk for k in ["root", "se", "us", "labs"])
    assert resolve_pack_scope(mike, scope).client_ids == sorted(g[k].pk for k in ["root", "se", "us", "labs", "secret"])
    # A member's own subsidiaries read as a group of their own.
    assert resolve_pack_scope(bob, {"type": "client_group", "id": g["se"].pk}).client_ids == sorted(
        [g["se"].pk, g["labs"].pk]
    )
    # A group behind the wall reads exactly like a missing one.
    for pk in [g["secret"].pk, 0]:
        with pytest.raises(ValidationError) as error:
            resolve_pack_scope(bob, {"type": "client_group", "id": pk})
        assert error.value.message_dict["scope"] == [NOTHING_TO_SHOW]
    offered = dict(scope_choices(bob))["Client groups (parent and subsidiaries)"]
    assert (f"client_group:{g['root'].pk}", "Kestrel Pharma Ltd") in offered
    assert all("Falcon" not in name for _, name in offered)
