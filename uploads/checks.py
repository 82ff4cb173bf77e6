"""What an uploaded file really is, judged from its bytes, and whether it may be kept.

`check_upload` reads the file once: it hashes it, counts its size, looks at its first bytes
(and, for zip containers, at the entries inside) and refuses with a ValidationError whose
message says what was wrong in words the uploader understands.
"""

import hashlib
import os
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import IO

from django.core.exceptions import ValidationError


class FileType(StrEnum):
    PDF = "pdf"
    DOCX = "docx"
    XLSX = "xlsx"
    CSV = "csv"
    PNG = "png"
    JPEG = "jpeg"


CONTENT_TYPES: dict[FileType, str] = {
    FileType.PDF: "application/pdf",
    FileType.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileType.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileType.CSV: "text/csv",
    FileType.PNG: "image/png",
    FileType.JPEG: "image/jpeg",
}

LABELS: dict[FileType, str] = {
    FileType.PDF: "PDF",
    FileType.DOCX: "Word document (DOCX)",
    FileType.XLSX: "Excel workbook (XLSX)",
    FileType.CSV: "CSV",
    FileType.PNG: "PNG image",
    FileType.JPEG: "JPEG image",
}

# Zip containers: refuse more than this once unpacked, or more entries, or a wild ratio.
ZIP_MAX_UNPACKED = 200 * 1024 * 1024
ZIP_MAX_ENTRIES = 10_000
ZIP_MAX_RATIO = 200

SNIFF_BYTES = 8192


@dataclass(frozen=True)
class CheckedFile:
    file_type: FileType
    content_type: str
    size: int
    sha256: str
    file_name: str

    def stored_fields(self, storage_key: str) -> dict:
        """The columns every row of a stored upload keeps: where it is, and what was checked."""
        return {
            "storage_key": storage_key,
            "file_name": self.file_name,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
        }


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.0f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} bytes"


def allowed_list(types: Iterable[FileType]) -> str:
    """ "PDF, PNG image or CSV" """
    labels = [LABELS[FileType(t)] for t in types]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]


def _zip_type(uploaded_file: IO[bytes]) -> FileType | None:
    """DOCX or XLSX from the entries of a zip, after checking it is not a zip bomb."""
    uploaded_file.seek(0)
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ValidationError("The file looks like a zip container but cannot be read.") from error
    finally:
        uploaded_file.seek(0)
    if len(entries) > ZIP_MAX_ENTRIES:
        raise ValidationError("The file holds too many parts to be a normal document.")
    unpacked = sum(entry.file_size for entry in entries)
    packed = sum(entry.compress_size for entry in entries) or 1
    if unpacked > ZIP_MAX_UNPACKED or unpacked / packed > ZIP_MAX_RATIO:
        raise ValidationError(
            "The file unpacks to far more than its size, as a zip bomb does, so it was refused."
        )
    names = {entry.filename for entry in entries}
    if "word/document.xml" in names:
        return FileType.DOCX
    if "xl/workbook.xml" in names:
        return FileType.XLSX
    return None


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            # A multi-byte character may be cut at the end of the sniffed block.
            head.decode(encoding) if encoding != "utf-8-sig" else head[:-4].decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def sniff(uploaded_file: IO[bytes], head: bytes) -> FileType | None:
    if head.startswith(b"%PDF-"):
        return FileType.PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileType.PNG
    if head.startswith(b"\xff\xd8\xff"):
        return FileType.JPEG
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(uploaded_file)
    if head and _is_text(head):
        return FileType.CSV
    return None


def check_upload(
    uploaded_file: IO[bytes], *, allowed_types: Iterable[FileType | str], max_bytes: int
) -> CheckedFile:
    """The file's type (from its content), size and SHA-256, or a ValidationError saying why it
    cannot be accepted: empty, too big, or not one of the allowed types whatever its name."""
    allowed = [FileType(t) for t in allowed_types]
    file_name = os.path.basename(getattr(uploaded_file, "name", "") or "upload")[:255]
    digest = hashlib.sha256()
    size = 0
    uploaded_file.seek(0)
    head = b""
    while chunk := uploaded_file.read(1 << 20):
        if len(head) < SNIFF_BYTES:
            head += chunk[: SNIFF_BYTES - len(head)]
        size += len(chunk)
        if size > max_bytes:
            uploaded_file.seek(0)
            raise ValidationError(
                f"{file_name} is larger than {human_size(max_bytes)}: choose a smaller file."
            )
        digest.update(chunk)
    uploaded_file.seek(0)
    if size == 0:
        raise ValidationError(f"{file_name} is empty.")
    file_type = sniff(uploaded_file, head)
    if file_type not in allowed:
        what = f"a {LABELS[file_type]}" if file_type else "not a type we accept"
        raise ValidationError(
            f"{file_name} is {what}, judged from its content: upload a {allowed_list(allowed)}."
        )
    return CheckedFile(
        file_type=file_type,
        content_type=CONTENT_TYPES[file_type],
        size=size,
        sha256=digest.hexdigest(),
        file_name=file_name,
    )


def check_file_field(
    uploaded_file: IO[bytes] | None, *, allowed_types: Iterable[FileType | str], max_bytes: int
) -> CheckedFile:
    """`check_upload` for a form's "file" field: a missing file and every refusal come back as a
    ValidationError on "file", so pages show them against the field."""
    if uploaded_file is None:
        raise ValidationError({"file": "Choose a file."})
    try:
        return check_upload(uploaded_file, allowed_types=allowed_types, max_bytes=max_bytes)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
