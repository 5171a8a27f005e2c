"""The playbooks, documents and discussion section of the client page (connected in apps.py)."""

from __future__ import annotations

from typing import Any

from accounts.models import Client, User


def client_panel(sender: type, client: Client, user: User, **kwargs: Any) -> dict[str, Any]:
    from accounts.access import may_edit_client
    from planning.selectors import plans_of
    from workflow import selectors
    from workflow.forms import CommentForm
    from workflow.services.playbooks import run_progress
    from workflow.subjects import KINDS, Subject

    subject = Subject(KINDS["client"], client, client)
    runs = selectors.client_runs(client)
    for run in runs:
        run.done, run.total = run_progress(run)  # type: ignore[attr-defined]
    may_edit = may_edit_client(user, client)
    return {
        "order": 25,
        "template": "workflow/client_panel.html",
        "runs": runs,
        "playbooks": selectors.playbooks_with_pauses(client) if may_edit else [],
        "may_edit": may_edit,
        "documents": selectors.client_documents(client),
        "subject": subject,
        "comments": selectors.thread(subject),
        "comment_form": CommentForm(),
        "plans": plans_of(client)[:3],
    }
