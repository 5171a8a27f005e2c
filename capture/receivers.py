"""What capture does when other apps act: the personal-data export and erasure of a stakeholder."""

from __future__ import annotations

from typing import Any


def export_capture_data(sender, stakeholder, **kwargs) -> dict[str, Any]:
    from capture.services.privacy import capture_personal_data

    return {"capture": capture_personal_data(stakeholder)}


def forget_erased(sender, stakeholder, email: str, name: str, **kwargs) -> None:
    from capture.services.privacy import capture_forget

    capture_forget(stakeholder=stakeholder, email=email, name=name)


def connect() -> None:
    from stakeholders.signals import personal_data_collected, personal_data_erased

    personal_data_collected.connect(export_capture_data, dispatch_uid="capture-personal-data-export")
    personal_data_erased.connect(forget_erased, dispatch_uid="capture-personal-data-erasure")
    from accounts.signals import client_detail_panels
    from capture import panels

    client_detail_panels.connect(panels.client_panel, dispatch_uid="capture-client-panel")
