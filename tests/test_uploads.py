"""The private upload kernel: type from content, size caps, zip bombs, private storage and the
download response."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from uploads.checks import FileType, check_upload
from uploads.responses import private_download
from uploads.storage import open_private, save_private

ALL = list(FileType)


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "expected", "content_type"),
    [
        (b"%PDF-1.7\n...", FileType.PDF, "application/pdf"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, FileType.PNG, "image/png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, FileType.JPEG, "image/jpeg"),
        (b"kvi_code,period,value\nSPEND,2022-04-01,13.09\n", FileType.CSV, "text/csv"),
        (
            _zip({"word/document.xml": b"<w/>"}),
            FileType.DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            _zip({"xl/workbook.xml": b"<x/>"}),
            FileType.XLSX,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ],
)
def test_type_is_judged_from_content(content, expected, content_type):
    checked = check_upload(
        SimpleUploadedFile("whatever.bin", content), allowed_types=ALL, max_bytes=10**6
    )
    assert checked.file_type == expected
    assert checked.content_type == content_type
    assert checked.size == len(content)
    assert len(checked.sha256) == 64


def test_a_renamed_file_is_refused_by_its_content():
    fake_pdf = SimpleUploadedFile("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00binary\x00")
    with pytest.raises(ValidationError) as error:
        check_upload(fake_pdf, allowed_types=[FileType.PDF], max_bytes=10**6)
    assert error.value.messages == [
        "report.pdf is not a type we accept, judged from its content: upload a PDF."
    ]
    png_named_pdf = SimpleUploadedFile("report.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 8)
    with pytest.raises(ValidationError, match="report.pdf is a PNG image"):
        check_upload(png_named_pdf, allowed_types=[FileType.PDF, FileType.CSV], max_bytes=10**6)


def test_size_cap_and_empty_file():
    with pytest.raises(ValidationError, match="larger than 1 KB"):
        check_upload(
            SimpleUploadedFile("big.csv", b"a,b\n" * 1000), allowed_types=ALL, max_bytes=1024
        )
    with pytest.raises(ValidationError, match="empty"):
        check_upload(SimpleUploadedFile("empty.csv", b""), allowed_types=ALL, max_bytes=1024)


def test_zip_bomb_is_refused_before_parsing():
    bomb = _zip({"xl/workbook.xml": b"<x/>", "xl/worksheets/sheet1.xml": b"0" * 50_000_000})
    with pytest.raises(ValidationError, match="zip bomb"):
        check_upload(SimpleUploadedFile("data.xlsx", bomb), allowed_types=ALL, max_bytes=10**7)


def test_private_storage_round_trip_and_download_headers(settings):
    key = save_private(
        SimpleUploadedFile("evidence.pdf", b"%PDF-1.7 x"), tenant_id="t1", folder="evidence"
    )
    assert key.startswith("t1/evidence/")
    assert str(settings.PRIVATE_MEDIA_ROOT) not in key
    with open_private(key) as stored:
        assert stored.read() == b"%PDF-1.7 x"
    response = private_download(key, file_name="evidence.pdf", content_type="application/pdf")
    assert response["Content-Disposition"] == 'attachment; filename="evidence.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == b"%PDF-1.7 x"
