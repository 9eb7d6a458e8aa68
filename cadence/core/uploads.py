"""Uploads and stored files, for every app that takes them (library files, videos, captions, submissions,
feedback files, post attachments): what a file is by its first bytes (never its name), size and format
checks with field-aware errors, safe display names, serving with HTTP ranges, and removing files only once
a change is committed (or when it rolled back).

Files are only ever served by views that asked the policy first. Responses say exactly what they
are (`Content-Type` from sniffing at upload, `X-Content-Type-Options: nosniff`), carry a safe
`Content-Disposition` filename and support single HTTP byte ranges so browsers can seek in videos.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from cadence.core.errors import FieldError


@dataclass(frozen=True)
class Kind:
    content_type: str
    extension: str
    label: str


PNG = Kind("image/png", ".png", "PNG")
JPEG = Kind("image/jpeg", ".jpg", "JPEG")
GIF = Kind("image/gif", ".gif", "GIF")
WEBP = Kind("image/webp", ".webp", "WebP")
MP4 = Kind("video/mp4", ".mp4", "MP4")
WEBM = Kind("video/webm", ".webm", "WebM")
VTT = Kind("text/vtt; charset=utf-8", ".vtt", "WebVTT")

SNIFF_BYTES = 64
CHUNK = 64 * 1024


def sha256_of(upload: File[bytes]) -> str:
    """The SHA-256 of an upload, read in chunks, leaving it ready to be read again from the start."""
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def read_head(upload: File[bytes]) -> bytes:
    """The first bytes of an upload, leaving it ready to be read again from the start."""
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    return bytes(head)


def sniff_image(head: bytes) -> Kind | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return None


def sniff_video(head: bytes) -> Kind | None:
    # ISO base media (MP4): a first box of type "ftyp"; QuickTime's own brand does not play in browsers.
    if head[4:8] == b"ftyp" and head[8:12] != b"qt  ":
        return MP4
    # Matroska's EBML header whose DocType is "webm".
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head[:SNIFF_BYTES]:
        return WEBM
    return None


# --- Library files: the extension names the format, the first bytes must agree with it ---------------
@dataclass(frozen=True)
class ResourceFormat:
    kind: Kind
    magic: tuple[bytes, ...]  # one of these must start the file; () for plain text
    library_kind: str  # the resource type it suggests (ResourceKind value)


def _fmt(content_type: str, extension: str, label: str, magic: tuple[bytes, ...], library_kind: str) -> ResourceFormat:
    return ResourceFormat(Kind(content_type, extension, label), magic, library_kind)


_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # legacy Office files
_TEXT: tuple[bytes, ...] = ()
_OOXML = "application/vnd.openxmlformats-officedocument"
_ODF = "application/vnd.oasis.opendocument"
RESOURCE_FORMATS: dict[str, ResourceFormat] = {
    f.kind.extension: f
    for f in (
        _fmt("application/pdf", ".pdf", "PDF", (b"%PDF-",), "document"),
        _fmt(f"{_OOXML}.wordprocessingml.document", ".docx", "Word", _ZIP, "document"),
        _fmt("application/msword", ".doc", "Word 97", _OLE, "document"),
        _fmt(f"{_ODF}.text", ".odt", "OpenDocument text", _ZIP, "document"),
        _fmt("application/rtf", ".rtf", "RTF", (b"{\\rtf",), "document"),
        _fmt("application/epub+zip", ".epub", "EPUB", _ZIP, "document"),
        _fmt("text/plain; charset=utf-8", ".txt", "text", _TEXT, "document"),
        _fmt("text/markdown; charset=utf-8", ".md", "Markdown", _TEXT, "document"),
        _fmt(f"{_OOXML}.presentationml.presentation", ".pptx", "PowerPoint", _ZIP, "slides"),
        _fmt("application/vnd.ms-powerpoint", ".ppt", "PowerPoint 97", _OLE, "slides"),
        _fmt(f"{_ODF}.presentation", ".odp", "OpenDocument slides", _ZIP, "slides"),
        _fmt("text/csv; charset=utf-8", ".csv", "CSV", _TEXT, "dataset"),
        _fmt("text/tab-separated-values; charset=utf-8", ".tsv", "TSV", _TEXT, "dataset"),
        _fmt("application/json", ".json", "JSON", _TEXT, "dataset"),
        _fmt(f"{_OOXML}.spreadsheetml.sheet", ".xlsx", "Excel", _ZIP, "dataset"),
        _fmt("application/vnd.ms-excel", ".xls", "Excel 97", _OLE, "dataset"),
        _fmt(f"{_ODF}.spreadsheet", ".ods", "OpenDocument spreadsheet", _ZIP, "dataset"),
        _fmt("application/vnd.apache.parquet", ".parquet", "Parquet", (b"PAR1",), "dataset"),
        _fmt("application/zip", ".zip", "ZIP", _ZIP, "dataset"),
        _fmt("image/png", ".png", "PNG", (b"\x89PNG\r\n\x1a\n",), "media"),
        _fmt("image/jpeg", ".jpg", "JPEG", (b"\xff\xd8\xff",), "media"),
        _fmt("audio/mpeg", ".mp3", "MP3", (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"), "media"),
        _fmt("audio/ogg", ".ogg", "Ogg audio", (b"OggS",), "media"),
    )
}
_ALIASES = {".jpeg": ".jpg", ".markdown": ".md", ".text": ".txt"}


def resource_format(filename: str, head: bytes) -> ResourceFormat | None:
    """The format of a library upload, or None when its name is not allowed or its bytes disagree.

    Text formats have no signature: the service checks that the whole file is UTF-8 without NUL bytes.
    """
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    fmt = RESOURCE_FORMATS.get(_ALIASES.get(suffix, suffix))
    if fmt is None:
        return None
    if fmt.magic and not head.startswith(fmt.magic):
        return None
    return fmt


def display_name(original: str, kind: Kind, fallback: str) -> str:
    """A safe name to show and to send in Content-Disposition, with the extension of what the file is."""
    stem = original.rsplit("/", 1)[-1].rsplit("\\", 1)[-1].rsplit(".", 1)[0]
    try:
        safe = get_valid_filename(stem)[:100]
    except SuspiciousFileOperation:  # nothing usable left of the name, such as ".."
        safe = ""
    return f"{safe or fallback}{kind.extension}"


# --- Byte ranges (RFC 9110 §14) -------------------------------------------------------------------
class RangeNotSatisfiable(Exception):  # named after the HTTP status (416)
    pass


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The inclusive (first, last) byte of a single-range request, or None to send the whole file.

    Other units and several ranges at once are ignored (the whole file is sent, as RFC 9110 allows);
    a bytes range that is malformed or starts beyond the end raises RangeNotSatisfiable (416).
    """
    header = header.strip()
    if not header.lower().startswith("bytes=") or "," in header:
        return None
    match = _RANGE.match(header.replace(" ", ""))
    if match is None:
        raise RangeNotSatisfiable(header)
    first_text, last_text = match.groups()
    if first_text == "":
        if last_text == "" or int(last_text) == 0 or size == 0:
            raise RangeNotSatisfiable(header)
        suffix = min(int(last_text), size)  # the last N bytes
        return size - suffix, size - 1
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if first >= size or last < first:
        raise RangeNotSatisfiable(header)
    return first, min(last, size - 1)


def _chunks(handle: IO[bytes], first: int, length: int) -> Iterator[bytes]:
    try:
        handle.seek(first)
        remaining = length
        while remaining > 0:
            chunk = handle.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        handle.close()


def serve_stored_file(
    *,
    name: str,
    content_type: str,
    filename: str,
    range_header: str = "",
    attachment: bool = False,
    cache_seconds: int = 300,
) -> HttpResponse | StreamingHttpResponse:
    """Stream a file from the default storage with safe headers; honours a single byte range."""
    size = default_storage.size(name)
    common = {
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": content_disposition_header(attachment, filename) or "inline",
        "Accept-Ranges": "bytes",
        "Cache-Control": f"private, max-age={cache_seconds}",
        # Nothing served here may run as a page of this site, even if a browser were to ignore the type.
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    try:
        byte_range = parse_range(range_header, size) if range_header else None
    except RangeNotSatisfiable:
        return HttpResponse(status=416, headers={**common, "Content-Range": f"bytes */{size}"})
    first, last = byte_range if byte_range else (0, size - 1)
    length = max(0, last - first + 1)
    handle = default_storage.open(name, "rb")
    response = StreamingHttpResponse(
        _chunks(handle, first, length),
        status=206 if byte_range else 200,
        content_type=content_type,
        headers={**common, "Content-Length": str(length)},
    )
    if byte_range:
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    return response


# --- Checking an upload ---------------------------------------------------------------------------------
def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def check_size(upload: UploadedFile, *, limit: int, too_large: str) -> int:
    """The upload's size, or a field error: `too_large` is a translated message with %(size)s and %(limit)s."""
    size = upload.size or 0
    if size > limit:
        raise FieldError(too_large % {"size": megabytes(size), "limit": megabytes(limit)}, field="file")
    if size == 0:
        raise FieldError(_("The file is empty."), field="file")
    return size


def check_kind(
    upload: UploadedFile, *, limit: int, sniff: Callable[[bytes], Kind | None], too_large: str, wrong_kind: str
) -> Kind:
    """Size, then type by the file's first bytes (never its name); `wrong_kind` has %(name)s."""
    check_size(upload, limit=limit, too_large=too_large)
    kind = sniff(read_head(upload))
    if kind is None:
        raise FieldError(wrong_kind % {"name": upload.name}, field="file")
    return kind


def _is_utf8(upload: UploadedFile) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    upload.seek(0)
    try:
        for chunk in upload.chunks():
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        upload.seek(0)
    return True


def check_format(upload: UploadedFile, *, refused: str, field: str) -> ResourceFormat:
    """The upload's format: its name must be one of the library's formats and its first bytes must agree;
    text formats must be UTF-8 throughout. `refused` is a translated message with %(name)s and %(allowed)s.
    Used for library files, submitted files, feedback files and post attachments alike."""
    name = upload.name or ""
    fmt = resource_format(name, read_head(upload))
    if fmt is None:
        allowed = ", ".join(sorted({f.kind.extension for f in RESOURCE_FORMATS.values()}))
        raise FieldError(refused % {"name": name[:100], "allowed": allowed}, field=field)
    if not fmt.magic and not _is_utf8(upload):
        raise FieldError(
            _("“%(name)s” is not UTF-8 text. Save it as UTF-8 and upload it again.") % {"name": name[:100]},
            field=field,
        )
    return fmt


# --- Removing files ---------------------------------------------------------------------------------------
def delete_files_after_commit(names: Iterable[str]) -> None:
    """Remove replaced or deleted files once the change is committed (never while it could roll back)."""
    doomed = [name for name in names if name]
    if doomed:
        transaction.on_commit(lambda: _delete(doomed))


def delete_files_if_rolled_back(names: Iterable[str]) -> None:
    """Files written during a transaction that then failed would be orphans: remove them."""
    for name in names:
        if name:
            default_storage.delete(name)


def _delete(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)
