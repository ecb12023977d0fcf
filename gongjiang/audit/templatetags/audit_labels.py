from django import template

from gongjiang.audit import labels

register = template.Library()


@register.filter
def action_label(action):
    return labels.action_label(action)


@register.filter
def object_label(entry):
    return labels.object_label(entry)
