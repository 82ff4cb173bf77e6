"""The certificate of an award as a PDF (WeasyPrint): A4 landscape, the organisation, the
award and level, its categories, the dates, the verification code and the public address where
anyone can check it.

WeasyPrint fetches nothing from the network: `ProjectStaticFetcher` serves only the project's
own static files (found by Django's static finders; the template addresses them as
`{{ static_base }}<path>`) and refuses every other address (http, https, file, ftp, …).
Fonts are the system's (Liberation Sans where installed, as Arial's metric twin, else DejaVu
Sans), found through fontconfig rather than fetched.
"""

import mimetypes
import posixpath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from awards.models import Award
from awards.verification import format_code

# The address the template's static files are rendered under: not a real host, so nothing can
# ever be fetched from it except through the fetcher below.
STATIC_BASE = "https://static.certificate.invalid/static/"


class RefusedFetch(ValueError):
    """An address the certificate may not load (WeasyPrint logs it and leaves it out)."""


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ProjectStaticFetcher(URLFetcher):
        """Serves the project's static files and nothing else."""

        def fetch(self, url, headers=None):
            return static_response(url, URLFetcherResponse)

    return ProjectStaticFetcher


def static_path(url: str) -> str:
    """The file system path of a static file addressed under STATIC_BASE; RefusedFetch for
    any other address, for a path climbing out of the static folders, or a file not found."""
    if not url.startswith(STATIC_BASE):
        raise RefusedFetch(f"The certificate may not load {url[:80]}")
    relative = unquote(urlsplit(url).path[len(urlsplit(STATIC_BASE).path) :])
    normalised = posixpath.normpath(relative)
    if normalised.startswith(("../", "/")) or normalised in ("..", ".", ""):
        raise RefusedFetch(f"The certificate may not load {url[:80]}")
    found = finders.find(normalised)
    if not found:
        raise RefusedFetch(f"No static file {normalised}")
    return found if isinstance(found, str) else found[0]


def static_response(url: str, response_class):
    path = static_path(url)
    mime_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    with open(path, "rb") as handle:
        body = handle.read()
    return response_class(url, body, {"Content-Type": mime_type}, 200)


def verify_url(award: Award) -> str:
    """The public page where anyone can check the certificate's code."""
    path = reverse("public_award_verify", args=[award.tenant.slug])
    return f"{settings.SITE_URL.rstrip('/')}{path}?code={format_code(award.verification_code)}"


def certificate_context(award: Award) -> dict:
    names = {c.code: c.name for c in award.version.categories.all()}
    return {
        "award": award,
        "tenant": award.tenant,
        "organisation_name": award.organisation.name,
        "scheme_name": award.version.name,
        "level_name": award.level.name,
        "categories": [names.get(code, code) for code in award.category_codes],
        "awarded_on": award.awarded_on,
        "expires_on": award.expires_on,
        "code": format_code(award.verification_code),
        "verify_url": verify_url(award),
        "verify_address": verify_url(award).split("?")[0],
        "produced_on": timezone.localdate(),
        # Static files are addressed as {{ static_base }}path: only the fetcher resolves them.
        "static_base": STATIC_BASE,
    }


def certificate_html(award: Award) -> str:
    return render_to_string("awards/certificate.html", certificate_context(award))


def certificate_document(award: Award):
    """The certificate laid out by WeasyPrint (a Document: pages and their sizes)."""
    from weasyprint import HTML

    html = certificate_html(award)
    return HTML(string=html, base_url=STATIC_BASE, url_fetcher=_fetcher_class()()).render()


def certificate_pdf(award: Award) -> bytes:
    """The certificate as PDF bytes."""
    return certificate_document(award).write_pdf()
