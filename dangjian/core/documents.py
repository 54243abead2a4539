"""Documents people upload as evidence (PDF, Word, Excel), judged by their content: a PDF by its
header, Word and Excel by the parts inside their zip container. Size-capped before reading."""

import hashlib
import zipfile
from dataclasses import dataclass
from io import BytesIO

from django.conf import settings

from dangjian.core.errors import DomainError

PDF = ("application/pdf", ".pdf")
DOCX = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx")
XLSX = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx")


@dataclass(frozen=True)
class Document:
    data: bytes
    name: str
    content_type: str
    extension: str
    sha256: str


def clean_document(upload, *, field: str = "file") -> Document:
    limit = settings.DOCUMENT_MAX_BYTES
    if upload.size > limit:
        raise DomainError(
            f"文件不能超过 {limit // (1024 * 1024)} MB", "file_too_large", field=field
        )
    data = upload.read()
    content_type, extension = _kind(data, field)
    stem = (upload.name or "材料").rsplit("/", 1)[-1].rsplit(".", 1)[0][:80] or "材料"
    return Document(
        data, stem + extension, content_type, extension, hashlib.sha256(data).hexdigest()
    )


def _kind(data: bytes, field: str) -> tuple[str, str]:
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            names = set()
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
    message = "文件不是有效的 PDF、Word（.docx）或 Excel（.xlsx）文档，照片请用 JPG、PNG 或 WebP"
    raise DomainError(message, "file_invalid", field=field)
