"""Refuse an over-size upload before its bytes are kept anywhere.

Installed first in FILE_UPLOAD_HANDLERS. When the request says it is larger than the
limit, or a file grows past it while streaming in, the file is skipped: Django reads
the rest of that part and throws it away (the HTTP exchange stays well formed, so the
creator gets a page or a JSON error, not a reset connection), nothing reaches memory,
a temp file or storage, and the other form fields (the CSRF token) are still parsed.
The view asks `upload_refusal(request)` and answers with the message.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

# Room for the multipart envelope and the other fields of a form around the file.
ENVELOPE_BYTES = 256 * 1024

_ATTRIBUTE = "_contentizer_upload_refusal"


def upload_limit_bytes() -> int:
    return settings.CONTENTIZER_UPLOAD_MAX_BYTES


def megabytes(size: int) -> str:
    """50 MB, 1.5 MB, 18.5 KB: sizes as a creator reads them (MB = 1024 x 1024 bytes)."""
    if size < 1024 * 1024:
        return f"{size / 1024:.1f}".removesuffix(".0") + " KB"
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0") + " MB"


def too_large_message(size: int | None) -> str:
    limit = megabytes(upload_limit_bytes())
    if size:
        return f"The file is {megabytes(size)}; the limit is {limit}. Nothing was stored."
    return f"The file is larger than the limit of {limit}. Nothing was stored."


def upload_refusal(request) -> str | None:
    """The reason an upload in this request was refused while it arrived, if it was.
    Parses the body first if nothing has yet (the handlers run while it is parsed)."""
    request.FILES  # noqa: B018 - parsing is lazy; this runs it (a DRF Request parses its own way)
    request = getattr(request, "_request", request)  # a DRF Request wraps the HttpRequest
    return getattr(request, _ATTRIBUTE, None)


class UploadSizeLimitHandler(FileUploadHandler):
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):  # noqa: N803
        # Not `self.content_length`: new_file() sets that to the part's own (usually unknown) length.
        self.request_length = content_length
        return None  # parse as usual: the other handlers store what is allowed

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        request_length = getattr(self, "request_length", None) or 0
        if request_length > upload_limit_bytes() + ENVELOPE_BYTES:
            self._refuse(request_length)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > upload_limit_bytes():
            self._refuse(None)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file

    def _refuse(self, size: int | None) -> None:
        if self.request is not None:
            setattr(self.request, _ATTRIBUTE, too_large_message(size))
        raise SkipFile()
