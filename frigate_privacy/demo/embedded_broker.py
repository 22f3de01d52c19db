"""The tour's fallback broker when Debian's mosquitto is not installed: amqtt (PyPI) on 127.0.0.1 only.

Run as `python -m frigate_privacy.demo.embedded_broker PORT`; it serves until SIGTERM or SIGINT. amqtt
speaks MQTT 3.1.1, which is all the tour needs (the at-rest pass runs in-process, without MQTT 5 workers).
"""

from __future__ import annotations

import asyncio
import importlib.util
import signal
import sys

__all__ = ["available", "main"]


def available() -> bool:
    """True when amqtt is installed (it comes with the checkout's `.[dev]` extra)."""
    return importlib.util.find_spec("amqtt") is not None


async def _serve(port: int) -> None:
    from amqtt.broker import Broker  # type: ignore[import-untyped,import-not-found,unused-ignore]

    broker = Broker(
        {
            "listeners": {"default": {"type": "tcp", "bind": f"127.0.0.1:{port}"}},
            "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
        }
    )
    await broker.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await broker.shutdown()


def main(argv: list[str]) -> int:
    """Serve on 127.0.0.1:PORT until told to stop."""
    if len(argv) != 1 or not argv[0].isdigit():
        print("usage: python -m frigate_privacy.demo.embedded_broker PORT", file=sys.stderr)
        return 2
    asyncio.run(_serve(int(argv[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
