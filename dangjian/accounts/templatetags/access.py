from django import template

from dangjian.accounts import permissions

register = template.Library()


@register.simple_tag
def has_perm(user, capability: str, obj=None) -> bool:
    """`{% has_perm request.user "can_manage_members" member as may_manage %}`"""
    return permissions.has_perm(user, capability, obj)
