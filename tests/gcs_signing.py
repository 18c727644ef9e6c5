"""Signing credentials for the GCS emulator: a service account with a fresh local RSA key.

fake-gcs-server does not check signatures, but gcsfs can only produce a signed
URL from credentials that hold a private key; the fixture's filesystem is
anonymous.  The key is generated here and never leaves the test process.
"""

from __future__ import annotations

import functools
from typing import Any


@functools.cache
def signing_credentials() -> Any:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from google.oauth2 import service_account

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    info = {
        "type": "service_account",
        "project_id": "fsjobstore-tests",
        "private_key_id": "local",
        "private_key": pem,
        "client_email": "tests@fsjobstore-tests.iam.gserviceaccount.com",
        "client_id": "0",
        "token_uri": "http://127.0.0.1:9/token",
    }
    return service_account.Credentials.from_service_account_info(info)


def sign_options(backend_name: str) -> dict[str, Any]:
    """Options for ``FsspecJobStore(sign_options=...)`` on a test backend."""
    return {"credentials": signing_credentials()} if backend_name == "gs" else {}
