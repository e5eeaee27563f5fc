from core.workspace import links_for


def workspace(request) -> dict:
    """The staff links of the header: the work screens this user's roles may open."""
    user = getattr(request, "user", None)
    return {"staff_links": links_for(user) if user is not None else []}
