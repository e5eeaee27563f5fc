"""Reads: a host's thread (a constant number of queries, whatever its size) and the reports
queue."""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet

from citizens.models import User
from comments import mentions, registry
from comments.models import Agreement, Comment, Report
from comments.rules import comment_policy

# What the thread offers on each comment (template key -> policy action).
COMMENT_ACTIONS = ("reply", "agree", "edit", "delete", "report", "hide", "unhide")
# The query parameter of the thread's pages (a host page may paginate something else).
PAGE_PARAM = "comments-page"


def per_page() -> int:
    """Threads (a comment with its replies) per page: `COMMENTS_PER_PAGE`, default 50."""
    return getattr(settings, "COMMENTS_PER_PAGE", 50)


def page_link(page_number: int, anchor: str = "comments") -> str:
    """A link, relative to the host page, to one of its thread's pages."""
    return f"?{PAGE_PARAM}={page_number}#{anchor}" if page_number > 1 else f"#{anchor}"


@dataclass
class Thread:
    host: registry.Host
    target: object
    comments: list = field(default_factory=list)  # this page's top-level, with `.children`
    count: int = 0  # published comments
    can_comment: object = None  # the host's Verdict for this user
    page: Page | None = None

    @property
    def key(self) -> str:
        return self.host.key


def thread_get(target, user, page_number=None) -> Thread:
    """The comments on `target`, as a tree, with what `user` may do on each: the threads of
    page `page_number` (oldest first, `per_page()` threads a page).

    Queries: the comments (with their authors, agreement counts and the user's own agreement
    and report), their mentions, plus what the host's policy asks once. The tree is built
    over every comment of the host, so a mention can link to a comment on another page.
    """
    host = registry.host_for(target)
    content_type = ContentType.objects.get_for_model(type(target))
    qs = (
        Comment.objects.filter(content_type=content_type, object_id=target.pk)
        .select_related("author")
        .annotate(agree_count=Count("agreements", distinct=True))
        .prefetch_related(Prefetch("mentions", queryset=User.objects.only("id", "display_name")))
        .order_by("created_at", "id")
    )
    if user.is_authenticated:
        qs = qs.annotate(
            agreed_by_me=Exists(Agreement.objects.filter(comment=OuterRef("pk"), user=user)),
            reported_by_me=Exists(Report.objects.filter(comment=OuterRef("pk"), reporter=user)),
        )
    verdicts = {"view": host.view(user, target), "comment": host.comment(user, target)}
    comments = list(qs)
    by_id = {c.pk: c for c in comments}
    # Each comment's page is its thread's (its top-level comment's) page.
    size, page_of, tops = per_page(), {}, 0
    for c in comments:  # parents come before their replies (oldest first)
        if c.parent_id in page_of:
            page_of[c.pk] = page_of[c.parent_id]
        else:
            page_of[c.pk] = tops // size + 1
            tops += 1
    # A mention links to the mentioned person's latest comment in this thread.
    latest = {}
    for c in comments:
        if c.author is not None and c.is_published:
            latest[mentions.handle_of(c.author)] = c
    top = []
    for c in comments:
        c.content_type = content_type
        c._host_verdicts = verdicts
        c.children = []
        c.actions = {a for a in COMMENT_ACTIONS if comment_policy.allows(user, a, c)}
        c.kind_label = host.kinds.get(c.kind, "") if c.kind else ""
        parent = by_id.get(c.parent_id)
        (parent.children if parent is not None else top).append(c)
    page = Paginator(top, size).get_page(page_number)
    for c in comments:
        handles = {mentions.handle_of(u) for u in c.mentions.all()}
        links = {}
        for handle in handles & set(latest):
            target_comment = latest[handle]
            on_page = page_of[target_comment.pk] == page.number
            links[handle] = (
                f"#{target_comment.anchor}"
                if on_page
                else f"?{PAGE_PARAM}={page_of[target_comment.pk]}#{target_comment.anchor}"
            )
        c.body_html = mentions.render(c.body, links)
    return Thread(
        host=host,
        target=target,
        comments=list(page.object_list),
        count=sum(1 for c in comments if c.is_published),
        can_comment=verdicts["comment"],
        page=page,
    )


def comment_get(user, pk) -> Comment:
    """A comment the user may read (its host is visible to them), or DoesNotExist."""
    comment = Comment.objects.select_related("author", "content_type").get(pk=pk)
    if not comment_policy.allows(user, "view", comment):
        raise Comment.DoesNotExist
    return comment


def report_queue() -> QuerySet:
    """Reports that no moderator has handled yet, oldest first."""
    return (
        Report.objects.filter(resolved_at__isnull=True)
        .select_related("comment", "comment__author", "comment__content_type", "reporter")
        .prefetch_related("comment__host")
        .order_by("created_at", "id")
    )
