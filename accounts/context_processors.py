from django.conf import settings

from accounts import access


def firm(request):
    return {"FIRM_NAME": settings.FIRM_NAME}


def role_gates(request):
    """What the signed-in person's role opens, for menus and buttons (the rules live in accounts.access)."""
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {
        "may_see_firm_overview": access.may_see_firm_overview(user),
        "may_read_audit_log": access.may_read_audit_log(user),
        "may_manage_identity": access.may_manage_identity(user),
    }
