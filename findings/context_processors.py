def canonical(request):
    """The page's address without its query string: the URL to cite and to index."""
    return {"canonical_url": request.build_absolute_uri(request.path)}
