"""Personal-data rights on a stakeholder: a JSON export, and erasure on request."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from accounts.access import get_editable_object
from stakeholders.models import Stakeholder
from stakeholders.privacy import stakeholder_erase, stakeholder_personal_data


@require_GET
def personal_data_export(request, pk: int):
    """Only people who may change the client export a person's data (it is itself personal data)."""
    person = get_editable_object(request.user, Stakeholder.objects.select_related("client"), pk)
    data = stakeholder_personal_data(actor=request.user, stakeholder=person)
    response = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="stakeholder-{person.pk}-personal-data.json"'
    return response


@require_POST
def personal_data_erase(request, pk: int):
    person = get_editable_object(request.user, Stakeholder.objects.select_related("client"), pk)
    stakeholder_erase(actor=request.user, stakeholder=person)
    messages.success(request, "The stakeholder's personal data was erased; their interactions still count.")
    return redirect("stakeholder-detail", pk=person.pk)
