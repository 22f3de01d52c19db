"""Print our discovery messages as JSON (run by the *main* venv; the HA venv cannot import our package).

Usage: python dump_discovery.py  ->  [{"topic": ..., "payload": {...} | null}, ...]
"""

from __future__ import annotations

import json
import sys

from frigate_privacy.masking.registry import available_styles
from frigate_privacy.service.homeassistant.discovery import (
    DiscoverySettings,
    camera_messages,
    camera_removal,
    hub_messages,
)
from frigate_privacy.service.homeassistant.entities import Source
from frigate_privacy.service.homeassistant.topics import OwnTopics


def main() -> None:
    out = []
    for sources, url in ((frozenset(Source), "http://127.0.0.1:8765/"), (frozenset(), None)):
        settings = DiscoverySettings(
            discovery_prefix="homeassistant",
            node_id="frigate_privacy",
            topics=OwnTopics("frigate_privacy"),
            frigate_availability="frigate/available",
            version="0.1.0",
            mask_styles=available_styles(),
            sources=sources,
            configuration_url=url,
        )
        msgs = [*hub_messages(settings), *camera_messages(settings, "front_door"), *camera_removal(settings, "gone")]
        out.extend({"topic": m.topic, "payload": m.payload, "sources": sorted(sources)} for m in msgs)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
