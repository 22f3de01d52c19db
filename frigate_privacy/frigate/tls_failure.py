"""Turn a failed TLS handshake with Frigate into a message naming the real cause and its fix."""

from __future__ import annotations

import ssl
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["explain_tls_failure"]

# OpenSSL's X509_V_ERR_* codes as ssl.SSLCertVerificationError.verify_code reports them.
_EXPIRED = 10
_NOT_YET_VALID = 9
_SELF_SIGNED = frozenset({18, 19})  # the certificate itself / a self-signed CA in its chain
_UNKNOWN_ISSUER = frozenset({2, 20, 21})
_NAME_MISMATCH = frozenset({62, 64})  # X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH


def _causes(err: BaseException) -> list[BaseException]:
    """The exception and everything it wraps (requests -> urllib3 MaxRetryError -> ssl), loop-safe."""
    found: list[BaseException] = []
    todo: list[BaseException] = [err]
    while todo and len(found) < 20:
        item = todo.pop(0)
        if any(item is f for f in found):
            continue
        found.append(item)
        reason = getattr(item, "reason", None)
        nested = [reason, *item.args, item.__cause__, item.__context__]
        todo.extend(n for n in nested if isinstance(n, BaseException))
    return found


def explain_tls_failure(err: BaseException, url: str, ca_file: Path | None) -> str:
    """One sentence for the user: what is wrong with Frigate's certificate (or TLS) and what to do."""
    host = urlsplit(url).hostname or url
    trust = f"frigate.ca_file ({ca_file})" if ca_file is not None else "the system's CA store"
    verify = next((e for e in _causes(err) if isinstance(e, ssl.SSLCertVerificationError)), None)
    if verify is None:
        text = " ".join(str(e) for e in _causes(err))
        if "WRONG_VERSION_NUMBER" in text or "wrong version number" in text:
            return (
                f"{url} does not speak TLS (https) on this port: use http:// for port 5000, or Frigate's "
                "TLS port 8971 for https://"
            )
        return f"TLS handshake with {url} failed ({type(err).__name__}); check frigate.url and Frigate's TLS setup"
    code = verify.verify_code
    if code in _NAME_MISMATCH:
        return (
            f"the certificate of {url} is not issued for {host!r} (host name or IP mismatch; Frigate's own "
            "default certificate, CN=*, names no host at all). Use the host name the certificate names in "
            "frigate.url, or give Frigate a certificate for this host (subjectAltName); trusting it with "
            "frigate.ca_file cannot fix a name mismatch"
        )
    if code in _SELF_SIGNED:
        if ca_file is not None:
            return (
                f"{url} presents a self-signed certificate that {trust} does not contain; put that "
                "certificate (Frigate's /config/certs or its default) into the file"
            )
        return (
            f"{url} presents a self-signed certificate; set frigate.ca_file to that certificate "
            "(or to the CA that issued it)"
        )
    if code in _UNKNOWN_ISSUER:
        return (
            f"the certificate of {url} was issued by a CA that {trust} does not know; set frigate.ca_file "
            "to that CA's certificate bundle"
        )
    if code == _EXPIRED:
        return f"the certificate of {url} has expired; renew it in Frigate (or check this machine's clock)"
    if code == _NOT_YET_VALID:
        return f"the certificate of {url} is not valid yet; check the clock of this machine and of Frigate"
    return f"TLS verification of {url} failed: {verify.verify_message} (checked against {trust})"
