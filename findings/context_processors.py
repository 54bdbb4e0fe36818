from django.core.exceptions import DisallowedHost


def canonical(request):
    """The page's address without its query string: the URL to cite and to index."""
    try:
        return {"canonical_url": request.build_absolute_uri(request.path)}
    except DisallowedHost:
        # The 400 page for a Host header not in ALLOWED_HOSTS: never repeat that host.
        return {"canonical_url": request.path}
