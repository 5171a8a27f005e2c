from django.conf import settings


def firm(request):
    return {"FIRM_NAME": settings.FIRM_NAME}
