"""The dashboard's column chooser: remembered per user, overridden by a view's own `cols`."""

from reports.dashboard.params import DEFAULT_COLUMNS
from reports.models import ColumnPreference


def _headers(response) -> str:
    html = response.content.decode()
    return html[html.index("<thead>") : html.index("</thead>")]


def test_defaults_show_the_reason_for_attention_and_leave_out_the_rarely_read(login, carol, normal_client):
    headers = _headers(login(carol).get("/dashboard/?mine=0"))
    assert "Why it needs attention" in headers and "Fee change" in headers
    assert "Weighted pipeline" not in headers and "Days since contact" not in headers
    assert "reasons" in DEFAULT_COLUMNS


def test_a_users_choice_is_remembered_and_other_users_keep_theirs(login, carol, mike, normal_client):
    browser = login(carol)
    response = browser.post(
        "/dashboard/columns/", {"cols": ["band", "pipeline", "reasons"], "query": "mine=0&sort=-score"}
    )
    assert response.status_code == 302 and response["Location"].endswith("/dashboard/?mine=0&sort=-score")
    headers = _headers(browser.get("/dashboard/?mine=0"))
    assert "Weighted pipeline" in headers and "Fee change" not in headers
    assert ColumnPreference.objects.get(user=carol).columns == ["band", "pipeline", "reasons"]
    assert "Fee change" in _headers(login(mike).get("/dashboard/?mine=0"))


def test_a_view_with_its_own_columns_wins_and_unknown_columns_change_nothing(login, carol, normal_client):
    browser = login(carol)
    headers = _headers(browser.get("/dashboard/?mine=0&cols=tier,gaps"))
    assert "Tier" in headers and "Coverage gaps" in headers and "Band" not in headers
    response = browser.post("/dashboard/columns/", {"cols": ["band", "no_such_column"], "query": "mine=0"}, follow=True)
    assert "is not a column of this table" in response.content.decode()
    assert not ColumnPreference.objects.filter(user=carol).exists()
