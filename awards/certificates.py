"""The certificate of an award as a PDF (WeasyPrint): A4 landscape, the organisation, the
award and level, its categories, the dates, the verification code and the public address where
anyone can check it.

WeasyPrint fetches nothing from the network: uploads.static_fetcher serves only the project's
own static files (the template addresses them as `{{ static_base }}<path>`) and refuses every
other address (http, https, file, ftp, …). Fonts are the system's (Liberation Sans where
installed, as Arial's metric twin, else DejaVu Sans), found through fontconfig rather than
fetched.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from awards.models import Award
from awards.verification import format_code
from uploads.static_fetcher import STATIC_BASE, project_static_fetcher


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
    return HTML(string=html, base_url=STATIC_BASE, url_fetcher=project_static_fetcher()).render()


def certificate_pdf(award: Award) -> bytes:
    """The certificate as PDF bytes."""
    return certificate_document(award).write_pdf()
