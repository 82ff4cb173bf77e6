"""Opens one transaction around the whole response and sets the tenant inside it.

The tenant comes from the URL: every tenant page lives under `/t/<tenant slug>/` (and every API
resource under `/api/v1/tenants/<tenant slug>/`), which works on
localhost without DNS tricks. Rendering happens inside the transaction too, so lazy querysets in
templates see the tenant's rows. A 5xx response rolls the transaction back.
"""

import re

from django.http import FileResponse, Http404, JsonResponse, StreamingHttpResponse

from tenancy.context import tenant_context
from tenancy.models import Tenant
from tenancy.permissions import NO_ACCESS, tenant_access_for

TENANT_PATH = re.compile(r"^/(?:t|api/v1/tenants)/(?P<slug>[-a-z0-9]+)(?:/|$)")


class TenantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.tenant = None
        request.access = NO_ACCESS
        match = TENANT_PATH.match(request.path_info)
        user = request.user
        user_id = user.pk if user.is_authenticated else None
        if match is None:
            with tenant_context(None, user_id=user_id):
                return self._respond(request)
        tenant = Tenant.objects.filter(slug=match["slug"], is_active=True).first()
        if tenant is None:
            if request.path_info.startswith("/api/"):
                return JsonResponse(
                    {"code": "not_found", "message": "There is no tenant at this address."},
                    status=404,
                )
            raise Http404("There is no programme at this address.")
        request.tenant = tenant
        with tenant_context(tenant.id, user_id=user_id):
            request.access = tenant_access_for(user=user, tenant=tenant)
            return self._respond(request)

    def _respond(self, request):
        from django.db import transaction

        response = self.get_response(request)
        if isinstance(response, StreamingHttpResponse) and not isinstance(response, FileResponse):
            # A streamed body would be read after the transaction ends and see no rows. (A file
            # response reads a private file from disk, not the database: it may stream.)
            raise RuntimeError("Streaming responses cannot be used inside the tenant context.")
        if response.status_code >= 500:
            transaction.set_rollback(True)
        return response
