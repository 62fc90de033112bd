"""A SAML 2.0 identity provider in a few functions, for tests: a key pair and
certificate made on the spot, and signed responses built like Entra ID's and Okta's.
No network."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape, quoteattr

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from onelogin.saml2.utils import OneLogin_Saml2_Utils

IDP_ENTITY_ID = "https://sts.windows.net/test-tenant/"
IDP_SSO_URL = "http://idp.test:9/saml2"


@dataclass
class KeyPair:
    key_pem: str
    cert_pem: str

    @property
    def cert_body(self) -> str:
        """The certificate as IdP admin pages show it: base64 without the PEM lines."""
        return "".join(line for line in self.cert_pem.splitlines() if "-----" not in line)


def key_pair(common_name: str = "Test IdP") -> KeyPair:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return KeyPair(
        key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        cert_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
    )


def _ts(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Assertion:
    email: str
    audience: str
    recipient: str
    in_response_to: str
    attributes: dict[str, list[str]] = field(default_factory=dict)
    issued: datetime = field(default_factory=lambda: datetime.now(UTC))
    lifetime: timedelta = timedelta(minutes=5)
    issuer: str = IDP_ENTITY_ID
    assertion_id: str = field(default_factory=lambda: f"_{uuid.uuid4().hex}")

    def xml(self) -> str:
        attributes = "".join(
            f"<saml:Attribute Name={quoteattr(name)}>"
            + "".join(
                f'<saml:AttributeValue xsi:type="xs:string">{escape(v)}</saml:AttributeValue>'
                for v in values
            )
            + "</saml:Attribute>"
            for name, values in self.attributes.items()
        )
        until = _ts(self.issued + self.lifetime)
        return (
            '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"'
            ' xmlns:xs="http://www.w3.org/2001/XMLSchema"'
            ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
            f' ID="{self.assertion_id}" Version="2.0" IssueInstant="{_ts(self.issued)}">'
            f"<saml:Issuer>{escape(self.issuer)}</saml:Issuer>"
            "<saml:Subject>"
            '<saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">'
            f"{escape(self.email)}</saml:NameID>"
            '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
            f'<saml:SubjectConfirmationData InResponseTo="{self.in_response_to}"'
            f' NotOnOrAfter="{until}" Recipient={quoteattr(self.recipient)}/>'
            "</saml:SubjectConfirmation></saml:Subject>"
            f'<saml:Conditions NotBefore="{_ts(self.issued - timedelta(seconds=5))}"'
            f' NotOnOrAfter="{until}">'
            f"<saml:AudienceRestriction><saml:Audience>{escape(self.audience)}</saml:Audience>"
            "</saml:AudienceRestriction></saml:Conditions>"
            f'<saml:AuthnStatement AuthnInstant="{_ts(self.issued)}"'
            f' SessionIndex="{self.assertion_id}">'
            "<saml:AuthnContext><saml:AuthnContextClassRef>"
            "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
            "</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>"
            f"<saml:AttributeStatement>{attributes}</saml:AttributeStatement>"
            "</saml:Assertion>"
        )


def signed_response(assertion: Assertion, keys: KeyPair) -> str:
    """The base64 SAMLResponse form value: a Response wrapping the signed Assertion."""
    signed = OneLogin_Saml2_Utils.add_sign(assertion.xml(), keys.key_pem, keys.cert_pem)
    if isinstance(signed, bytes):
        signed = signed.decode()
    signed = signed.split("?>", 1)[-1] if signed.startswith("<?xml") else signed
    response = (
        '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"'
        ' xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"'
        f' ID="_{uuid.uuid4().hex}" Version="2.0" IssueInstant="{_ts(assertion.issued)}"'
        f" Destination={quoteattr(assertion.recipient)}"
        f' InResponseTo="{assertion.in_response_to}">'
        f"<saml:Issuer>{escape(assertion.issuer)}</saml:Issuer>"
        '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>'
        "</samlp:Status>"
        f"{signed}</samlp:Response>"
    )
    return base64.b64encode(response.encode()).decode()
