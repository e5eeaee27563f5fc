"""@mentions. Users have no username here (they log in by email and show a display name), so a
participant's handle is their display name in slug form: "Anna Rossi" is `@anna-rossi`. Only
participants of the discussion can be mentioned (the host's authors and whoever has commented
on it), and only when the handle names exactly one of them: a mention never reveals or reaches
anybody outside the discussion, and an email address is never a handle.
"""

import re

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import slugify

MENTION = re.compile(r"(?<![\w@])@([\w][\w-]{0,60})", re.UNICODE)


def handle_of(user) -> str:
    return slugify(user.display_name or "") if user is not None else ""


def handles_in(text: str) -> set[str]:
    return {m.lower() for m in MENTION.findall(text or "")}


def resolve(text: str, participants) -> list:
    """The participants mentioned in `text` (each handle naming exactly one of them)."""
    wanted = handles_in(text)
    if not wanted:
        return []
    by_handle: dict[str, list] = {}
    for user in participants:
        handle = handle_of(user)
        if handle in wanted and all(u.pk != user.pk for u in by_handle.get(handle, [])):
            by_handle.setdefault(handle, []).append(user)
    return [users[0] for users in by_handle.values() if len(users) == 1]


def render(text: str, links: dict[str, str]) -> str:
    """Escape `text`, keep its line breaks, and link each mention found in `links`
    (handle -> URL, e.g. the mentioned person's latest comment in the thread)."""

    def link(match):
        handle = match.group(1).lower()
        url = links.get(handle)
        if url is None:
            return match.group(0)
        return f'<a class="mention" href="{escape(url)}">@{match.group(1)}</a>'

    escaped = str(escape(text))
    # Handles are slug characters, which escaping leaves alone.
    html = MENTION.sub(link, escaped)
    return mark_safe(html.replace("\r\n", "\n").replace("\n", "<br>"))  # noqa: S308
