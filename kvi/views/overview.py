"""The tenant overview across organisations, for the programme team (VIEW_KVIS): totals, KVIs
by theme with monetised social value, and a searchable, sortable table of organisations linking
to each one's KVI dashboard; with CSV and XLSX downloads of its tables.

Thin: kvi.overview reads (and checks VIEW_KVIS again); kvi.overview_export builds the files
inside the request."""

from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.http import urlencode

from kvi import overview_export, periods
from kvi.overview import ORGANISATION_SORTS, organisation_rows, tenant_overview
from kvi.views.common import crumbs
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm

PAGE_SIZE = 25
YEARS_OFFERED = 10  # the current financial year and the nine before it
SORTS = [*ORGANISATION_SORTS, *(f"-{key}" for key in ORGANISATION_SORTS)]


class OverviewForm(forms.Form):
    """The overview's choices, read from the query string (every one optional)."""

    year = forms.ChoiceField(
        label="Financial year",
        required=False,
        error_messages={"invalid_choice": "Choose a financial year from the list."},
    )
    q = forms.CharField(
        label="Organisation name contains",
        required=False,
        max_length=100,
        error_messages={"max_length": "Enter at most 100 characters of the organisation's name."},
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[(key, key) for key in SORTS],
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "Sort by one of the table's columns."},
    )

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        start = periods.financial_year_start(periods.financial_year_of(today)).year
        years = [periods.financial_year_label(start - n) for n in range(YEARS_OFFERED)]
        self.fields["year"].choices = [(year, year) for year in years]
        self.current_year = years[0]


def _choices(request):
    """The form bound to the query string, today, and the year, search and sort to show: a bad
    choice is reported by the form and falls back to its default."""
    today = timezone.localdate()
    form = OverviewForm(request.GET, today=today)
    form.is_valid()
    chosen = form.cleaned_data
    year = chosen.get("year") or form.current_year
    return form, today, year, chosen.get("q", ""), chosen.get("sort") or "name"


@tenant_view(Perm.VIEW_KVIS)
def kvi_overview(request):
    tenant = request.tenant
    form, today, year, search, sort = _choices(request)
    overview = tenant_overview(
        tenant=tenant, access=request.access, financial_year=year, today=today
    )
    rows = organisation_rows(overview, search=search, sort=sort)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    kept = {"year": year} if year != form.current_year else {}
    if search:
        kept["q"] = search
    return render(
        request,
        "kvi/overview/overview.html",
        {
            "form": form,
            "overview": overview,
            "page_obj": page,
            "search": search,
            "sort": sort,
            "year": year,
            "is_current_year": year == form.current_year,
            # The page's links keep the year, the search and (for pages) the sort.
            "querystring": urlencode({**kept, "sort": sort}),
            "sort_headers": _sort_headers(kept, sort),
            "export_query": urlencode({"year": year}),
            "breadcrumbs": crumbs(tenant, ("Overview", "")),
        },
    )


# The organisation table's columns: (sort key, heading, numeric).
COLUMNS = [
    ("name", "Organisation", False),
    ("kvis", "KVIs", True),
    ("on_track", "On track", True),
    ("at_risk", "At risk", True),
    ("off_track", "Off track", True),
    ("awaiting", "Awaiting validation", True),
    ("net", "Monetised net", True),
]


def _sort_headers(kept: dict, sort: str) -> list[dict]:
    """The organisation table's headings, each a link that sorts by it (numbers largest first,
    names A to Z; following the current column's link reverses it) with its aria-sort."""
    headers = []
    descending = sort.startswith("-")
    for key, label, numeric in COLUMNS:
        current = sort.lstrip("-") == key
        if current:
            following = key if descending else f"-{key}"
        else:
            following = f"-{key}" if numeric else key
        headers.append(
            {
                "label": label,
                "numeric": numeric,
                "href": "?" + urlencode({**kept, "sort": following}) + "#by-organisation",
                "aria_sort": ("descending" if descending else "ascending") if current else "none",
            }
        )
    return headers


@tenant_view(Perm.VIEW_KVIS)
def kvi_overview_export(request, table, file_format):
    if table not in overview_export.TABLES or file_format not in overview_export.FORMATS:
        raise Http404("No such download.")
    _form, today, year, *_ = _choices(request)
    overview = tenant_overview(
        tenant=request.tenant,
        access=request.access,
        financial_year=year,
        today=today,
        every_organisation=table == "organisations",
    )
    return overview_export.overview_download(
        overview, table=table, file_format=file_format, tenant_slug=request.tenant.slug
    )


urlpatterns = [
    path("overview/", kvi_overview, name="kvi_overview"),
    path(
        "overview/<slug:table>.<slug:file_format>",
        kvi_overview_export,
        name="kvi_overview_export",
    ),
]
