"""Private storage: files kept under PRIVATE_MEDIA_ROOT with random keys, never under a public
URL. Keys start with the tenant's id, so one tenant's files sit apart from another's.

Uploads are saved with `save_private` (`stored_privately` deletes the file again when the row
recording it cannot be written). Generated files (certificates, reports) are written with
`store_atomically` under a fixed key: whole or not at all, even if the worker is killed."""

import hashlib
import os
import secrets
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
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


@contextmanager
def stored_privately(uploaded_file: IO[bytes], *, tenant_id, folder: str) -> Iterator[str]:
    """Save the file and give its key to the block that records it; when that block fails, the
    file is deleted again, so no stored file is left without its row."""
    key = save_private(uploaded_file, tenant_id=tenant_id, folder=folder)
    try:
        yield key
    except BaseException:
        delete_private(key)
        raise


# --- Storing a generated file whole or not at all ----------------------------------------------
# Django's storage API neither fsyncs nor publishes atomically under a fixed key; these add that.

CHUNK_SIZE = 64 * 1024
TEMPORARY_SUFFIX = ".part"


def chunks_of(data: bytes, size: int = CHUNK_SIZE) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def private_path(key: str) -> Path:
    return Path(private_storage().path(key))


def fsync_directory(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def store_atomically(key: str, chunks: Iterable[bytes]) -> str:
    """Write the chunks under `key` in private storage: to a temporary file in the same folder,
    fsynced, then renamed onto the key (atomic on one file system). Returns the SHA-256."""
    final = private_path(key)
    final.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(
        dir=final.parent, prefix=f".{final.name}.", suffix=TEMPORARY_SUFFIX
    )
    digest = hashlib.sha256()
    try:
        with os.fdopen(descriptor, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
                digest.update(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, final)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    fsync_directory(final.parent)
    return digest.hexdigest()


def leftovers(key: str) -> list[Path]:
    """Temporary files of `key` left by a worker that died while writing."""
    final = private_path(key)
    if not final.parent.exists():
        return []
    return sorted(final.parent.glob(f".{final.name}.*{TEMPORARY_SUFFIX}"))


def sha256_of(key: str) -> str:
    digest = hashlib.sha256()
    with open(private_path(key), "rb") as handle:
        while chunk := handle.read(CHUNK_SIZE):
            digest.update(chunk)
    return digest.hexdigest()
