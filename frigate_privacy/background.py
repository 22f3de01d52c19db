"""The one background thread that keeps its exception for the thread that waits for it."""

from __future__ import annotations

import threading
from collections.abc import Callable

__all__ = ["BackgroundTask"]


class BackgroundTask:
    """Runs `body` in a daemon thread; the exception it ended with is kept in `error` for the caller.

    A worker thread's exception is otherwise printed and lost; here the caller decides, after
    `join()`, whether to raise it. `expected` exceptions (a deliberate stop) are not kept;
    `on_error` runs in the worker right away, e.g. to tell sibling threads to stop.
    """

    def __init__(
        self,
        name: str,
        body: Callable[[], None],
        *,
        expected: tuple[type[BaseException], ...] = (),
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        self.error: BaseException | None = None
        self._body = body
        self._expected = expected
        self._on_error = on_error
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _run(self) -> None:
        try:
            self._body()
        except self._expected:
            pass
        except BaseException as err:  # handed to the caller's thread
            self.error = err
            if self._on_error is not None:
                self._on_error(err)

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the thread to end."""
        self._thread.join(timeout)

    def is_alive(self) -> bool:
        """Whether the thread still runs."""
        return self._thread.is_alive()
