"""Downloading a model file over HTTPS: bounded size, retried connects, a progress bar, clear errors."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable

import requests
from requests.adapters import HTTPAdapter
from tqdm import tqdm
from urllib3.util.retry import Retry

from frigate_privacy.errors import ModelError

__all__ = ["MIRROR_ENV", "UrlDownloader", "download_bytes", "mirror_url"]

# Set to a base URL (`https://models.example.lan/frigate-privacy/`) to fetch every model file from there
# by its file name instead of from its upstream URL; the sha256 check is the same either way.
MIRROR_ENV = "FRIGATE_PRIVACY_MODEL_MIRROR"

# Fetches a URL's bytes, bounded by a size; injectable so tests can count calls.
UrlDownloader = Callable[[str, int], bytes]

_CONNECT_TIMEOUT_S = 10.0
_READ_TIMEOUT_S = 60.0
_CHUNK = 1 << 16


class _QuietModelRetries(logging.Filter):
    """Drops urllib3's per-retry WARNING for model files: the one error we raise says it better.

    A filter, not a level on urllib3's logger: raising that level would also hide the retries other
    modules turn into their own log lines (the Frigate transport does).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.WARNING and str(record.msg).startswith("Retrying ("):
            url = record.args[-1] if isinstance(record.args, tuple) and record.args else ""
            return not str(url).endswith(".onnx")
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_QuietModelRetries())


def mirror_url(mirror: str | None, file_name: str) -> str | None:
    """`<mirror>/<file_name>` for a configured mirror (argument, else `$FRIGATE_PRIVACY_MODEL_MIRROR`), else None."""
    base = mirror if mirror is not None else os.environ.get(MIRROR_ENV, "")
    if not base:
        return None
    if not base.startswith(("https://", "http://")):
        raise ModelError(f"model mirror {base!r} is not an http(s) URL; set {MIRROR_ENV} or --mirror to one")
    return base.rstrip("/") + "/" + file_name


def _session() -> requests.Session:
    # urllib3 retries refused connections and 5xx answers with backoff; a body cut off mid-way is not
    # retried here (the caller reports it, and a re-run starts over: nothing partial is ever kept).
    retry = Retry(
        total=3,
        connect=3,
        read=1,
        status=3,
        backoff_factor=0.5,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"GET"}),
        raise_on_status=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def download_bytes(url: str, max_bytes: int) -> bytes:
    """The body of `url` (at most `max_bytes`), with a progress bar on a terminal; ModelError on any failure."""
    name = url.rsplit("/", 1)[-1]
    try:
        with _session() as session, session.get(url, stream=True, timeout=(_CONNECT_TIMEOUT_S, _READ_TIMEOUT_S)) as r:
            if r.status_code != 200:
                raise ModelError(
                    f"downloading {name} from {url} failed: HTTP {r.status_code} {r.reason}; "
                    "check the URL or mirror, or copy the file by hand and use --from DIR"
                )
            length = int(r.headers.get("Content-Length", "0") or 0)
            if length > max_bytes:
                raise ModelError(f"{url} announces {length} bytes, more than any model ({max_bytes}); refusing")
            return _read_body(r, name, length, max_bytes)
    except requests.exceptions.ChunkedEncodingError as err:  # the body ended before Content-Length
        raise ModelError(
            f"the download of {name} from {url} was cut off ({_reason(err)}); run the command again"
        ) from err
    except requests.ConnectionError as err:
        raise ModelError(
            f"cannot reach {url} ({_reason(err)}); check the network, set a mirror with --mirror or "
            f"${MIRROR_ENV}, or copy the file by hand and use --from DIR"
        ) from err
    except requests.Timeout as err:
        raise ModelError(f"downloading {name} from {url} timed out; run the command again") from err
    except requests.RequestException as err:
        raise ModelError(f"downloading {name} from {url} failed: {_reason(err)}") from err


def _read_body(r: requests.Response, name: str, length: int, max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    received = 0
    # A bar on a terminal only (disable=None makes tqdm check isatty): set-up logs stay clean.
    with tqdm(
        total=length or None, unit="B", unit_scale=True, desc=name, disable=None, leave=False, file=sys.stderr
    ) as bar:
        for chunk in r.iter_content(_CHUNK):
            received += len(chunk)
            if received > max_bytes:
                raise ModelError(f"{name} is larger than any model ({max_bytes} bytes); refusing")
            chunks.append(chunk)
            bar.update(len(chunk))
    if length and received != length:
        raise ModelError(
            f"the download of {name} was cut off after {received} of {length} bytes; run the command again"
        )
    return b"".join(chunks)


def _reason(err: BaseException) -> str:
    # requests nests the real cause (refused, DNS, TLS) several exceptions deep; its innermost text is the useful one.
    while err.__context__ is not None and err.__context__ is not err:
        err = err.__context__
    return str(err).strip() or type(err).__name__
