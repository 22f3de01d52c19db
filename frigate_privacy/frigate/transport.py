"""HTTP plumbing for Frigate: sessions with urllib3 retries, timeouts, JWT login, and error mapping."""

from __future__ import annotations

import logging
import threading
import warnings
from pathlib import Path
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from frigate_privacy.frigate.errors import (
    FrigateApiError,
    FrigateAuthError,
    FrigateConnectionError,
    FrigateNotFoundError,
)
from frigate_privacy.frigate.tls_failure import explain_tls_failure

__all__ = ["CACHE_BYPASS_HEADER", "TOKEN_COOKIE", "FrigateTransport"]

logger = logging.getLogger(__name__)

# Frigate's default `auth.cookie_name`; the HA integration hard-codes it too.
TOKEN_COOKIE = "frigate_token"  # noqa: S105 - a cookie name, not a secret
# The request header Frigate's nginx config (docker/main/rootfs/usr/local/nginx/conf/nginx.conf) honours.
CACHE_BYPASS_HEADER = "X-Cache-Bypass"
# Gateway errors are what nginx answers while Frigate's API process restarts: worth a retry.
_RETRY_STATUSES = frozenset({502, 503, 504})


def _retry(attempts: int, backoff: float) -> Retry:
    """urllib3's retry policy for idempotent calls: refused connections, timeouts and gateway errors."""
    again = attempts - 1
    return Retry(
        total=again,
        connect=again,
        read=again,
        status=again,
        other=0,  # a TLS failure or a protocol error does not go away by asking again
        redirect=False,
        backoff_factor=backoff,
        status_forcelist=_RETRY_STATUSES,
        allowed_methods=None,  # the caller decided the call is idempotent by choosing this session
        raise_on_status=False,  # the last gateway answer comes back and is mapped to FrigateApiError
    )


class _RetryNotice(logging.Filter):
    """urllib3 logs each retry as a WARNING with its Retry object's repr; ours is one INFO line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.WARNING and str(record.msg).startswith("Retrying ("):
            url = record.args[-1] if isinstance(record.args, tuple) and record.args else "?"
            logger.info("Frigate did not answer %s; retrying", url)
            return False
        return True


# Retries are expected (Frigate restarting); the final failure is what the user reads, as our error.
logging.getLogger("urllib3.connectionpool").addFilter(_RetryNotice())


def _session(retry: Retry) -> requests.Session:
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = "frigate-privacy"
    # Frigate's nginx keeps JSON answers of /api/ for 5 s (`proxy_cache_valid 200 5s`) and skips the
    # cache for requests carrying this header (`proxy_cache_bypass $http_x_cache_bypass`). Without it
    # an event renamed a second ago is not found; writes are never cached, so every request sends it.
    session.headers[CACHE_BYPASS_HEADER] = "1"
    return session


_insecure_lock = threading.Lock()
_insecure_warned = False


def _warn_insecure_once(url: str) -> None:
    """Our one warning about verify_tls: false, instead of urllib3's InsecureRequestWarning per request."""
    global _insecure_warned
    # Added per transport (warnings.filterwarnings drops an identical filter first), so it also holds
    # after something (a test runner) has reset the filters; the message itself goes out once per process.
    warnings.filterwarnings("ignore", category=urllib3.exceptions.InsecureRequestWarning)
    if not url.startswith("https://"):
        return  # plain http: nothing is verified either way, and urllib3 does not warn
    with _insecure_lock:
        if _insecure_warned:
            return
        _insecure_warned = True
    logger.warning(
        "TLS verification of %s is off (frigate.verify_tls: false): anyone on the network path can read "
        "the Frigate password and media. Set frigate.ca_file to Frigate's certificate instead",
        url,
    )


def _error_text(response: requests.Response) -> str:
    """A short, single-line reason from a JSON `message`/`detail`, or the start of the body."""
    try:
        body = response.json()
    except (ValueError, RecursionError):
        body = None
    if isinstance(body, dict):
        for key in ("message", "detail", "error"):
            if isinstance(body.get(key), str):
                return str(body[key])[:200]
    text = response.text if "html" not in response.headers.get("content-type", "") else ""
    return " ".join(text.split())[:200] or response.reason or ""


class FrigateTransport:
    """Sends requests to one Frigate; logs in on port 8971 and re-logs in once on a 401."""

    def __init__(
        self,
        url: str,
        *,
        user: str | None = None,
        password: str | None = None,
        verify_tls: bool = True,
        ca_file: Path | None = None,
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 0.5,
    ) -> None:
        self.base_url = url.rstrip("/")
        self._user = user
        self._password = password
        self._token: str | None = None
        self.timeout = timeout
        self.retries = max(1, retries)
        self.backoff = backoff
        self._session = _session(_retry(self.retries, backoff))
        # Creating calls (a second POST would start a second export) are sent exactly once.
        self._once = _session(Retry(total=0, read=False, redirect=False, raise_on_status=False))
        # A CA file wins over the boolean: that is how a self-signed 8971 is verified properly.
        self._verify: bool | str = str(ca_file) if ca_file is not None else verify_tls
        if self._verify is False:
            _warn_insecure_once(self.base_url)

    def __repr__(self) -> str:
        # Never show credentials, even in a debugger or a traceback's locals.
        return f"FrigateTransport({self.base_url!r}, user={self._user!r}, logged_in={self._token is not None})"

    @property
    def verify(self) -> bool | str:
        """The TLS verification setting: a CA bundle path, or on/off."""
        return self._verify

    @property
    def uses_auth(self) -> bool:
        """True when this transport logs in (a user is configured)."""
        return self._user is not None

    def auth_header(self) -> str | None:
        """`Bearer <jwt>` for a request made outside this transport (FFmpeg reading the MJPEG feed).

        Logs in first when needed; None on port 5000 (no user configured). Never log the value.
        """
        if self._user is None:
            return None
        if self._token is None:
            self.login()
        return f"Bearer {self._token}" if self._token else None

    def close(self) -> None:
        """Close the HTTP sessions."""
        self._session.close()
        self._once.close()

    def login(self) -> None:
        """`POST /api/login`; keeps the JWT in memory only and sends it as a Bearer token."""
        if self._user is None or self._password is None:
            return
        self._token = None
        response = self._send("POST", "/api/login", json={"user": self._user, "password": self._password})
        # 0.14 answers bad credentials with 400, 0.16+ with 401: both mean the same to the user.
        if response.status_code in (400, 401):
            raise FrigateAuthError(
                f"Frigate at {self.base_url} rejected the login for user {self._user!r}: wrong user or password",
                response.status_code,
            )
        if response.status_code == 429:
            raise FrigateAuthError("Frigate refused the login: too many failed attempts, try later", 429)
        self._raise_for_status(response, "POST", "/api/login")
        token = response.cookies.get(TOKEN_COOKIE)
        if not token:
            raise FrigateAuthError(f"Frigate's login answer carried no {TOKEN_COOKIE} cookie", response.status_code)
        self._token = token
        # Bearer only: a cookie jar would also receive refreshed cookies we do not track.
        self._session.cookies.clear()
        self._once.cookies.clear()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        idempotent: bool,
        stream: bool = False,
        timeout: float | None = None,
    ) -> requests.Response:
        """Send one API call; retry idempotent ones with backoff; map failures to FrigateApiError."""
        if self._user is not None and self._token is None:
            self.login()
        send = dict(params=params, json=json, stream=stream, timeout=timeout, idempotent=idempotent)
        response = self._send(method, path, **send)
        if response.status_code == 401 and self._user is not None:
            # The token expired or Frigate restarted with a new secret: log in once and try again.
            response.close()
            self.login()
            response = self._send(method, path, **send)
        self._raise_for_status(response, method, path)
        return response

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        stream: bool = False,
        timeout: float | None = None,
        idempotent: bool = False,
    ) -> requests.Response:
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        # urllib3 repeats only what may be repeated: the retrying session for idempotent calls.
        session = self._session if idempotent else self._once
        try:
            response = session.request(
                method,
                self.base_url + path,
                params=params,
                json=json,
                headers=headers,
                stream=stream,
                timeout=timeout or self.timeout,
                allow_redirects=False,
                # Per request, because requests lets REQUESTS_CA_BUNDLE override Session.verify.
                verify=self._verify,
            )
        except requests.exceptions.SSLError as err:
            ca_file = Path(self._verify) if isinstance(self._verify, str) else None
            raise FrigateConnectionError(explain_tls_failure(err, self.base_url, ca_file)) from None
        except requests.exceptions.Timeout:
            raise FrigateConnectionError(f"Frigate at {self.base_url} did not answer within the timeout") from None
        except requests.exceptions.RequestException as err:
            raise FrigateConnectionError(f"cannot reach Frigate at {self.base_url} ({type(err).__name__})") from None
        logger.debug("%s %s -> %d", method, path, response.status_code)
        return response

    def _raise_for_status(self, response: requests.Response, method: str, path: str) -> None:
        status = response.status_code
        if status < 400:
            return
        reason = _error_text(response)
        response.close()
        where = f"{method} {path}"
        if status == 404:
            raise FrigateNotFoundError(f"Frigate has no {path} (404)", status)
        if status in (401, 403):
            raise FrigateAuthError(f"Frigate refused {where} ({status}): {reason or 'not allowed'}", status)
        raise FrigateApiError(f"Frigate answered {where} with {status}: {reason}", status)
