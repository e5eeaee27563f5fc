"""Signal receivers: the winners' tracking opens when a process's results are published."""

from budgeting.models import Process


def open_for_published_results(sender, process, old_state, new_state, **kwargs):
    if new_state == Process.State.RESULTS:
        from implementation.services import implementations_open_for_process

        implementations_open_for_process(process=process)
