from django import template

from accounts.selectors import unread_notification_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """Unread notifications of the signed-in user: one query per page."""
    user = getattr(context.get("request"), "user", None)
    return unread_notification_count(user) if user is not None and user.is_authenticated else 0
