"""Request bodies reach Django unparsed under daphne.

Twisted's HTTP request (which daphne's request extends) parses every POST with a
multipart/form-data or form-urlencoded body into `request.args` before daphne sees it,
though daphne never reads them. A multipart body Twisted cannot parse (an empty one:
`--boundary--`) was answered by Twisted itself with a bare 400 (no body, no content
type) that never reached Django, so the API could not give its JSON error; and every
upload was parsed twice, once wholly in memory. Twisted lets a request skip that
parsing (`parsePOSTFormSubmission`); daphne does not ask for it, so we do, by giving
daphne's protocol factory a request class that skips it.

Installed from contentizer_site.asgi: the module daphne imports before it listens.
"""

from __future__ import annotations


def install() -> None:
    try:
        from daphne import http_protocol
    except ImportError:  # another ASGI server: nothing to change
        return
    if getattr(http_protocol.WebRequest, "leaves_forms_to_django", False):
        return

    class WebRequest(http_protocol.WebRequest):
        leaves_forms_to_django = True

        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            # Read by twisted.web.http.Request.requestReceived once the body is in.
            self._parsePOSTFormSubmission = False

    # HTTPFactory.buildProtocol reads this module global for each new connection.
    http_protocol.WebRequest = WebRequest
