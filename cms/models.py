"""Public pages edited in Wagtail: home, standard pages, news."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index


class FeaturedBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=120)
    text = blocks.TextBlock(label=_("Text"), required=False)
    link = blocks.CharBlock(
        label=_("Link (path or URL)"),
        required=False,
        help_text=_("For example /budgeting/ or a page address."),
    )

    class Meta:
        icon = "pick"
        label = _("Featured process")
        template = "cms/blocks/featured.html"


class HomePage(Page):
    intro = RichTextField(_("intro"), blank=True)
    featured = StreamField([("process", FeaturedBlock())], blank=True, verbose_name=_("featured"))

    search_fields = [*Page.search_fields, index.SearchField("intro")]
    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("featured")]
    subpage_types = ["cms.StandardPage", "cms.NewsIndexPage"]
    # One home page per language, at the top of the tree (Wagtail's max_count would count
    # the translations too).
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The news of this home page's language (each language has its own page tree).
        context["latest_news"] = (
            NewsPage.objects.live().public().filter(locale_id=self.locale_id)
        ).order_by("-date", "-pk")[:3]
        return context


class StandardPage(Page):
    body = StreamField(
        [
            ("heading", blocks.CharBlock(form_classname="title", label=_("Heading"))),
            ("paragraph", blocks.RichTextBlock(label=_("Paragraph"))),
        ],
        blank=True,
        verbose_name=_("body"),
    )
    search_fields = [*Page.search_fields, index.SearchField("body")]
    content_panels = [*Page.content_panels, FieldPanel("body")]

    class Meta:
        verbose_name = _("standard page")


class NewsIndexPage(Page):
    intro = RichTextField(_("intro"), blank=True)
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["cms.NewsPage"]

    class Meta:
        verbose_name = _("news index")

    def get_context(self, request, *args, **kwargs):
        from django.core.paginator import Paginator

        context = super().get_context(request, *args, **kwargs)
        news = NewsPage.objects.child_of(self).live().public().order_by("-date", "-pk")
        context["page_obj"] = Paginator(news, 10).get_page(request.GET.get("page"))
        return context


class NewsPage(Page):
    date = models.DateField(_("date"))
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = RichTextField(_("body"), blank=True)

    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("news page")
