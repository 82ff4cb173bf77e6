"""Serving a private file: only from a view that has already checked permission."""

from django.http import FileResponse, Http404

from uploads.storage import exists_private, open_private


def private_download(key: str, *, file_name: str, content_type: str) -> FileResponse:
    """The file as an attachment (never shown inline), with nosniff and no caching."""
    if not exists_private(key):
        raise Http404("The file is no longer stored.")
    response = FileResponse(
        open_private(key), as_attachment=True, filename=file_name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
