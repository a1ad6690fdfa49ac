"""Under daphne, multipart bodies reach Django as sent: one Twisted cannot parse gets the
API's JSON error, not Twisted's bare 400."""

from __future__ import annotations

import httpx
import pytest

from assets.models import MediaAsset
from core.api_tokens import api_token_create
from core.testing import create_cache_table

BOUNDARY = "c637e12e2b1a998d80d1b087531af51c"


@pytest.fixture
def token(transactional_db, owner) -> str:
    create_cache_table()  # the token cache and the upload throttle, before the server reads them
    return api_token_create(user=owner).key


def test_an_unparseable_multipart_upload_is_a_json_400_that_stores_nothing(daphne_server, token):
    # One server for both bodies: starting daphne is most of this test's cost.
    for body in (f"--{BOUNDARY}--\r\n".encode(), b"not multipart at all"):
        response = httpx.post(
            f"{daphne_server}/api/v1/assets",
            content=body,
            headers={"Authorization": f"Token {token}", "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
            timeout=30,
        )
        assert response.status_code == 400, body
        assert response.headers["Content-Type"] == "application/json"
        assert response.json() == {
            "code": "invalid",
            "message": "file: Attach the file as the `file` part.",
            "details": {"file": ["Attach the file as the `file` part."]},
        }
    assert not MediaAsset.objects.exists()
