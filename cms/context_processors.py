def navigation(request):
    """Top-level menu: live Wagtail pages marked 'show in menus' under the site root."""
    from wagtail.models import Site

    site = Site.find_for_request(request)
    if site is None:
        return {"menu_pages": []}
    return {
        "menu_pages": site.root_page.get_children().live().in_menu().specific(),
        "site_root": site.root_page,
    }
