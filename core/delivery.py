"""Serving stored files to a browser or client that is allowed to see them.

Django has no HTTP Range support (FileResponse answers a Range request with 200 and the
whole file, and players then cannot seek), so local files go through a small Range
implementation: 206 + Content-Range for a satisfiable single range, 416 for an
unsatisfiable one, 200 + Accept-Ranges without a Range header. Remote storage (S3/R2)
answers with a 302 to a presigned URL; the object store serves the ranges itself.
Callers check permission first: this module never decides who may see what.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.core.files.storage import FileSystemStorage, storages
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.utils.http import content_disposition_header

from core.api_errors import error_body

CHUNK = 256 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def parse_range(header: str, size: int) -> tuple[int, int] | None | str:
    """Parse a single-range `Range` header against a file of `size` bytes.

    Returns (start, end) inclusive, None when the header should be ignored (malformed or
    several ranges: RFC 9110 lets a server answer those with the whole file), or the
    string "unsatisfiable"."""
    match = _RANGE.match(header.strip())
    if not match:
        return None
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":
        # Suffix range: the last N bytes.
        length = int(last)
        if length == 0 or size == 0:
            return "unsatisfiable"
        return max(size - length, 0), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if start >= size:
        return "unsatisfiable"
    if last and end < start:
        return None
    return start, min(end, size - 1)


def _iter_file(fh, start: int, length: int) -> Iterator[bytes]:
    try:
        fh.seek(start)
        remaining = length
        while remaining > 0:
            chunk = fh.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        fh.close()


def serve_stored_file(
    request: HttpRequest,
    name: str | None,
    *,
    content_type: str,
    download_name: str | None = None,
    same_origin: bool = False,
) -> HttpResponse:
    """Serve a stored file by storage name. With download_name it is an attachment.

    On object storage the browser is sent to the bucket, except with ``same_origin`` (small
    files a page loads as a subresource that must come from its own origin: a <track>'s
    WebVTT from another origin needs CORS, which a redirect to the bucket would not have;
    the player then shows no captions), which are read and served here. `name` is a
    FieldFile's, None or "" when the field holds no file: a 404."""
    if not name:
        raise Http404("No such file.")
    # The backend itself, not the default_storage LazyObject: before anything has touched
    # it in this process, the LazyObject's _wrapped is still a sentinel.
    storage = storages["default"]
    if not isinstance(storage, FileSystemStorage) and same_origin:
        with storage.open(name, "rb") as handle:
            response = HttpResponse(handle.read(), content_type=content_type)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, max-age=3600"
        if download_name:
            response["Content-Disposition"] = content_disposition_header(True, download_name)
        return response
    if not isinstance(storage, FileSystemStorage):
        params = {"ResponseContentType": content_type}
        if download_name:
            params["ResponseContentDisposition"] = content_disposition_header(True, download_name)
        try:
            url = storage.url(name, parameters=params)
        except TypeError:
            url = storage.url(name)
        return HttpResponseRedirect(url)

    size = storage.size(name)
    header = request.headers.get("Range", "")
    byte_range = parse_range(header, size) if header else None
    common = {
        "Accept-Ranges": "bytes",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, max-age=3600",
    }
    if download_name:
        common["Content-Disposition"] = content_disposition_header(True, download_name)
    if byte_range == "unsatisfiable":
        # The one error shape, like every other refusal (a player ignores the body).
        response = JsonResponse(
            error_body(
                "range_not_satisfiable",
                f"The requested range ({header.strip()[:100]}) is outside the file, which is {size} bytes long.",
            ),
            status=416,
        )
        response["Content-Range"] = f"bytes */{size}"
        for key, value in common.items():
            if key != "Content-Disposition":
                response[key] = value
        return response
    fh = storage.open(name, "rb")
    if byte_range is None:
        start, end, status = 0, size - 1, 200
    else:
        start, end = byte_range
        status = 206
    length = max(end - start + 1, 0)
    if request.method == "HEAD":
        fh.close()
        response = HttpResponse(status=status, content_type=content_type)
    else:
        response = StreamingHttpResponse(_iter_file(fh, start, length), status=status, content_type=content_type)
    response["Content-Length"] = str(length)
    if status == 206:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    for key, value in common.items():
        response[key] = value
    return response
