from django import template

from budgeting.models import Process

register = template.Library()

LIVE_STATES = (Process.State.VOTING, Process.State.COUNTING)


@register.simple_tag
def live_process_snapshot(process):
    """The process's live snapshot for a page, or None when it shows no live data."""
    if process.state not in LIVE_STATES or process.live_results == Process.LiveResults.NONE:
        return None
    from budgeting.live.views.public import live_snapshot

    return live_snapshot(process)[1]
