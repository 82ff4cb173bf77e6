"""Private storage: files kept under PRIVATE_MEDIA_ROOT with random keys, never under a public
URL. Keys start with the tenant's id, so one tenant's files sit apart from another's."""

import secrets
from typing import IO

from django.conf import settings
from django.core.files.storage import FileSystemStorage


def private_storage() -> FileSystemStorage:
    # No base_url: these files have no public address.
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


def save_private(uploaded_file: IO[bytes], *, tenant_id, folder: str) -> str:
    """Store the file; return its key (the only way to reach it again)."""
    key = f"{tenant_id}/{folder}/{secrets.token_hex(16)}"
    uploaded_file.seek(0)
    saved = private_storage().save(key, uploaded_file)
    uploaded_file.seek(0)
    return saved


def open_private(key: str) -> IO[bytes]:
    return private_storage().open(key, "rb")


def delete_private(key: str) -> None:
    private_storage().delete(key)


def exists_private(key: str) -> bool:
    return private_storage().exists(key)
