"""A broker for one machine without Redis: Celery's filesystem transport over a project folder.

The embedded default (`python -m config.launch`) sets CELERY_BROKER_URL=filesystem:// and starts a
local Celery worker beside the dev server, so long jobs (PDF packs, recompute-all, imports) run off
the request and the browser shows their progress, as they do with Redis. Messages are files in
`<folder>/queue`; the worker moves each one out as it takes it.
"""

from __future__ import annotations

from pathlib import Path


def filesystem_broker_options(folder: Path) -> dict[str, object]:
    """Kombu's filesystem-transport options for `folder`, whose subfolders are made here."""
    queue, control = folder / "queue", folder / "control"
    for path in (queue, control):
        path.mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "control_folder": str(control),
        "store_processed": False,
    }
