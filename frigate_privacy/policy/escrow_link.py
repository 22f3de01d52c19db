"""Extension point for escrow copies: the at-rest package will register a store here; none exists yet."""

from __future__ import annotations

from typing import Protocol

__all__ = ["EscrowStore", "no_escrow_note"]


class EscrowStore(Protocol):
    """What erasure needs from an escrow store (encrypted originals kept by at-rest masking)."""

    def find(self, camera: str | None, start: float | None, end: float | None, event_ids: list[str]) -> list[str]:
        """Ids of escrow copies holding footage of the selection."""
        ...

    def delete(self, escrow_id: str) -> bool:
        """Remove one escrow copy (idempotent)."""
        ...


def no_escrow_note() -> str:
    """What the erasure report says while no escrow store is installed."""
    return "no escrow store is installed (at-rest masking is not set up), so there are no escrow copies to erase"
