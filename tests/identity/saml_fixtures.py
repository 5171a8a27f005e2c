"""A real SAML 2.0 identity provider for the tests: pysaml2's own IdP (`saml2.server.Server`) with its
own key and certificate, answering Keyline's AuthnRequests with signed assertions."""

from __future__ import annotations

import base64
import datetime
import html
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse
from wsgiref.simple_server import WSGIRequestHandler, make_server

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.authn_context import PASSWORD
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server

IDP_ENTITY = "https://idp.firm.example/saml/metadata"
IDP_SSO = "https://idp.firm.example/saml/sso"


def key_and_certificate(folder: Path, name: str) -> tuple[Path, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = folder / f"{name}.key", folder / f"{name}.pem"
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


def idp_server(
    folder: Path, sp_metadata: str, name: str = "idp", lifetime_minutes: int = 5, sso_url: str = IDP_SSO
) -> Server:
    key, cert = key_and_certificate(folder, name)
    sp_file = folder / f"sp-for-{name}.xml"
    sp_file.write_text(sp_metadata)
    config = IdPConfig()
    config.load(
        {
            "entityid": IDP_ENTITY,
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "key_file": str(key),
            "cert_file": str(cert),
            "metadata": {"local": [str(sp_file)]},
            "service": {
                "idp": {
                    "endpoints": {"single_sign_on_service": [(sso_url, BINDING_HTTP_REDIRECT)]},
                    "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                    "policy": {"default": {"lifetime": {"minutes": lifetime_minutes}, "attribute_restrictions": None}},
                }
            },
        }
    )
    return Server(config=config)


def idp_metadata(server: Server) -> str:
    return create_metadata_string(None, config=server.config).decode()


@dataclass
class Answer:
    saml_response: str
    relay_state: str


def answer(
    server: Server,
    email: str,
    *,
    authn_request_url: str | None = None,
    acs: str = "",
    audience: str = "",
    sign: bool = True,
    attributes: dict | None = None,
) -> Answer:
    """The IdP's signed answer: to an SP-initiated request (its redirect URL), or unsolicited
    (IdP-initiated) to `acs` for the SP `audience`."""
    relay = ""
    kwargs: dict
    if authn_request_url:
        query = parse_qs(urlparse(authn_request_url).query)
        relay = query.get("RelayState", [""])[0]
        request = server.parse_authn_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT)
        kwargs = server.response_args(request.message)
    else:
        kwargs = {"in_response_to": None, "destination": acs, "sp_entity_id": audience, "binding": BINDING_HTTP_POST}
    response = server.create_authn_response(
        identity=attributes or {},
        userid=email,
        name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=email),
        authn={"class_ref": PASSWORD, "authn_auth": IDP_ENTITY},
        sign_assertion=sign,
        sign_response=False,
        **kwargs,
    )
    return Answer(base64.b64encode(str(response).encode()).decode(), relay)


PAGE = """<!doctype html><html><head><title>{title}</title></head><body><h1>{title}</h1>
<form method="post" action="{action}">{fields}<button type="submit">{button}</button></form></body></html>"""


def _hidden(**values: str) -> str:
    return "".join(f'<input type="hidden" name="{k}" value="{html.escape(v)}">' for k, v in values.items())


def serve_idp(folder: Path, sp_metadata: str, acs: str) -> tuple[str, Server, object]:
    """pysaml2's IdP behind a small web front on loopback, for the browser: its sign-in page takes an
    email address, then posts the signed response to Keyline's ACS (a form the person submits)."""
    port_holder = socket.socket()
    port_holder.bind(("127.0.0.1", 0))
    port = port_holder.getsockname()[1]
    port_holder.close()
    base = f"http://127.0.0.1:{port}"
    server = idp_server(folder, sp_metadata, name="browser-idp", sso_url=f"{base}/sso")

    def app(environ, start_response):
        if environ["REQUEST_METHOD"] == "GET":
            query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
            body = PAGE.format(
                title="Firm sign-in",
                action="/sso",
                fields='<label>Email <input name="email" type="email"></label>' + _hidden(**query),
                button="Sign in",
            )
        else:
            size = int(environ.get("CONTENT_LENGTH") or 0)
            form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(size).decode()).items()}
            request_url = f"{base}/sso?" + urlencode(
                {"SAMLRequest": form["SAMLRequest"], "RelayState": form.get("RelayState", "")}
            )
            reply = answer(server, form["email"], authn_request_url=request_url, attributes={"groups": ["Keyline-BD"]})
            body = PAGE.format(
                title="Signed in",
                action=acs,
                fields=_hidden(SAMLResponse=reply.saml_response, RelayState=reply.relay_state),
                button="Continue to Keyline",
            )
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [body.encode()]

    httpd = make_server("127.0.0.1", port, app, handler_class=_QuietHandler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return base, server, httpd


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass
