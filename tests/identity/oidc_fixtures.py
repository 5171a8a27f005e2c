"""A real OpenID Connect provider (npm `oidc-provider` under Node) on loopback for the tests, with
signing keys the tests make, and a driver that signs in on its development sign-in page."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def new_jwk(kid: str) -> tuple[dict, rsa.RSAPrivateKey]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key))
    return {**jwk, "kid": kid, "alg": "RS256", "use": "sig"}, key


@dataclass
class OidcProvider:
    issuer: str
    key: rsa.RSAPrivateKey
    kid: str
    process: subprocess.Popen
    accounts: dict = field(default_factory=dict)

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def sign(self, claims: dict, key: rsa.RSAPrivateKey | None = None) -> str:
        """An ID token with the provider's key (or another), for the refusal tests."""
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": self.kid})

    def sign_in(self, authorize_url: str, account: str) -> str:
        """Follow the provider's pages as a browser would, sign in as `account`, and return the URL the
        provider sends the browser back to (Keyline's callback, with code and state)."""
        browser = requests.Session()
        url = authorize_url
        for _ in range(10):
            response = browser.get(url, allow_redirects=False, timeout=10)
            if response.status_code in (302, 303):
                url = urljoin(url, response.headers["Location"])
                if not url.startswith(self.issuer):
                    return url
                continue
            assert response.status_code == 200, response.text[:500]
            if 'name="prompt" value="login"' in response.text:
                response = browser.post(
                    url, data={"prompt": "login", "login": account, "password": "any"}, allow_redirects=False
                )
            elif 'name="prompt" value="consent"' in response.text:
                response = browser.post(url, data={"prompt": "consent"}, allow_redirects=False)
            else:
                raise AssertionError(f"unexpected provider page: {response.text[:500]}")
            assert response.status_code in (302, 303), response.text[:500]
            url = urljoin(url, response.headers["Location"])
            if not url.startswith(self.issuer):
                return url
        raise AssertionError("the provider never sent the browser back")


def start_provider(redirect_uris: list[str], accounts: dict) -> OidcProvider:
    node = shutil.which("node")
    assert node, "Node.js is needed for the OpenID Connect provider (see scripts/setup.sh)"
    port = free_port()
    jwk, key = new_jwk("test-key-1")
    env = {
        **os.environ,
        "PORT": str(port),
        "REDIRECT_URIS": ",".join(redirect_uris),
        "JWKS": json.dumps({"keys": [jwk]}),
        "ACCOUNTS": json.dumps(accounts),
        "NODE_PATH": str(ROOT / "node_modules"),
    }
    process = subprocess.Popen(
        [node, str(SCRIPT)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    issuer = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).ok:
                return OidcProvider(issuer=issuer, key=key, kid="test-key-1", process=process, accounts=accounts)
        except requests.ConnectionError:
            time.sleep(0.2)
        if process.poll() is not None:
            raise AssertionError(f"the provider stopped: {process.stdout.read() if process.stdout else ''}")
    process.kill()
    raise AssertionError("the OpenID Connect provider did not start")
