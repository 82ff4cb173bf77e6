"""The guard on every tenant page: the tenant must exist, the person must be signed in and the
permission layer must allow the action."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404

from tenancy.permissions import Perm


def tenant_view(perm: Perm = Perm.VIEW_TENANT, *, login_only: bool = False):
    """Wrap a view under `/t/<tenant_slug>/`. The view is called without `tenant_slug`; it reads
    `request.tenant` and `request.access`. With `login_only`, any signed-in person may open it
    (the view checks what it needs itself, e.g. an invitation's email)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, tenant_slug, *args, **kwargs):
            if request.tenant is None:
                raise Http404("There is no programme at this address.")
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not login_only:
                request.access.require(perm)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
