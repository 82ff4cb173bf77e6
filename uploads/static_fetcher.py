"""WeasyPrint's URL fetcher for the project's PDFs (award certificates, board reports): it
serves the project's own static files and nothing else.

Templates address static files as `{{ static_base }}<path>` (STATIC_BASE is not a real host,
so nothing can be fetched from it except through this fetcher); every other address (http,
https, file, ftp, data, …), a path climbing out of the static folders and a file that is not
found are refused. Fonts are the system's (Liberation Sans, Arial's metric twin), found through
fontconfig rather than fetched.
"""

import mimetypes
import posixpath
from urllib.parse import unquote, urlsplit

from django.contrib.staticfiles import finders

# The address documents render static files under: not a real host, so nothing can ever be
# fetched from it except through the fetcher below.
STATIC_BASE = "https://static.invalid/static/"


class RefusedFetch(ValueError):
    """An address the document may not load (WeasyPrint logs it and leaves it out)."""


def static_path(url: str) -> str:
    """The file system path of a static file addressed under STATIC_BASE; RefusedFetch for
    any other address, for a path climbing out of the static folders, or a file not found."""
    if not url.startswith(STATIC_BASE):
        raise RefusedFetch(f"The document may not load {url[:80]}")
    relative = unquote(urlsplit(url).path[len(urlsplit(STATIC_BASE).path) :])
    normalised = posixpath.normpath(relative)
    if normalised.startswith(("../", "/")) or normalised in ("..", ".", ""):
        raise RefusedFetch(f"The document may not load {url[:80]}")
    found = finders.find(normalised)
    if not found:
        raise RefusedFetch(f"No static file {normalised}")
    return found if isinstance(found, str) else found[0]


def static_response(url: str, response_class):
    """The static file at `url` as a WeasyPrint response (RefusedFetch as static_path)."""
    path = static_path(url)
    mime_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    with open(path, "rb") as handle:
        body = handle.read()
    return response_class(url, body, {"Content-Type": mime_type}, 200)


def fetcher_class():
    """WeasyPrint's URLFetcher subclass serving only the project's static files (imported
    lazily: WeasyPrint is heavy and only the PDF workers need it)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ProjectStaticFetcher(URLFetcher):
        """Serves the project's static files and nothing else."""

        def fetch(self, url, headers=None):
            return static_response(url, URLFetcherResponse)

    return ProjectStaticFetcher


def project_static_fetcher():
    """An instance of the fetcher, for `HTML(..., url_fetcher=project_static_fetcher())`."""
    return fetcher_class()()
