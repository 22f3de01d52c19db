"""The redacted live view for Home Assistant's MJPEG camera: a viewer token sent as HTTP Basic credentials.

Home Assistant's MJPEG integration can send Basic or Digest credentials only, never a bearer header; our API
accepts `user name : token` as Basic credentials, for viewer tokens only (docs/homeassistant.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests

from frigate_privacy.config.api import ApiRole
from tests.api_support import mjpeg_frames, running_api_factory  # noqa: F401 - pytest fixture
from tests.standin import FrigateStandin


def test_viewer_token_as_basic_credentials_reaches_the_masked_live_view(
    running_api_factory: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    with FrigateStandin("0.16", tmp_path / "media") as standin:
        api = running_api_factory(
            standin, users={"ha-card": (ApiRole.viewer, ["front"]), "otto": (ApiRole.operator, None)}
        )
        card = ("ha-card", api.tokens["ha-card"])
        still = requests.get(f"{api.base}/api/cameras/front/latest.jpg", auth=card, timeout=30)
        assert still.status_code == 200 and still.content[:2] == b"\xff\xd8"
        with requests.get(f"{api.base}/api/cameras/front/live.mjpeg", auth=card, stream=True, timeout=30) as live:
            assert live.status_code == 200
            assert live.headers["content-type"].startswith("multipart/x-mixed-replace")
            assert next(iter(mjpeg_frames(live, 1)))[:2] == b"\xff\xd8"
        # the name must match the token, and only viewer tokens may travel as Basic credentials
        wrong = requests.get(f"{api.base}/api/cameras/front/latest.jpg", auth=("otto", card[1]), timeout=30)
        assert wrong.status_code == 401
        still_url = f"{api.base}/api/cameras/front/latest.jpg"
        operator = requests.get(still_url, auth=("otto", api.tokens["otto"]), timeout=30)
        assert operator.status_code == 403
        garbage = requests.get(
            f"{api.base}/api/cameras/front/latest.jpg", headers={"Authorization": "Basic %%%"}, timeout=30
        )
        assert garbage.status_code == 401
        reasons = [e.reason for e in api.audit_entries() if e.action == "api.denied"]
        assert "Basic credentials are accepted for viewer tokens only" in reasons
