"""Certificates for the stand-in's 8971-style TLS: Frigate's own default and the cases a user meets.

Frigate's nginx start script (docker/main/rootfs/etc/s6-overlay/s6-rc.d/nginx/run) makes, when no
certificate is mounted, `openssl req -x509 -subj "/O=FRIGATE DEFAULT CERT/CN=*"`: self-signed, a CA, and
no subjectAltName, so it matches no host name or IP even when trusted.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

# standin: self-signed for 127.0.0.1/localhost; frigate-default: Frigate's CN=* without SAN;
# expired: like standin but past its end; ca-issued: a leaf for 127.0.0.1 signed by a separate CA.
TlsKind = Literal["standin", "frigate-default", "expired", "ca-issued"]


def _name(common: str, org: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, org)] if org else []
    return x509.Name([*attrs, x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _local_san() -> x509.SubjectAlternativeName:
    return x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])


def _pem(path: Path, obj: x509.Certificate) -> Path:
    path.write_bytes(obj.public_bytes(serialization.Encoding.PEM))
    return path


def self_signed_pair(directory: Path, kind: TlsKind = "standin") -> tuple[Path, Path, Path]:
    """Write the server's cert.pem and key.pem and the file a client trusts (ca.pem or the cert itself)."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    subject = _name("*", "FRIGATE DEFAULT CERT") if kind == "frigate-default" else _name("frigate-standin")
    valid_from, valid_to = now - dt.timedelta(minutes=5), now + dt.timedelta(days=2)
    if kind == "expired":
        valid_from, valid_to = now - dt.timedelta(days=400), now - dt.timedelta(days=35)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid_from)
        .not_valid_after(valid_to)
    )
    if kind != "frigate-default":
        builder = builder.add_extension(_local_san(), critical=False)
    trusted: Path | None = None
    if kind == "ca-issued":
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = _name("frigate-standin test CA")
        ca = (
            x509.CertificateBuilder()
            .subject_name(ca_name)
            .issuer_name(ca_name)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(valid_from)
            .not_valid_after(valid_to)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .sign(ca_key, hashes.SHA256())
        )
        trusted = _pem(directory / "ca.pem", ca)
        cert = builder.issuer_name(ca_name).sign(ca_key, hashes.SHA256())
    else:
        builder = builder.issuer_name(subject).add_extension(
            x509.BasicConstraints(ca=True, path_length=None), critical=True
        )
        cert = builder.sign(key, hashes.SHA256())
    cert_path, key_path = _pem(directory / "cert.pem", cert), directory / "key.pem"
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_path.chmod(0o600)
    return cert_path, key_path, trusted or cert_path
