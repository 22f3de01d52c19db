"""Redacted images and clips of Frigate's cameras and events; originals for admins, each one audited."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from frigate_privacy.audit.actions import AuditResult
from frigate_privacy.errors import PrivacyError
from frigate_privacy.frigate.boxes import RelBox
from frigate_privacy.frigate.errors import FrigateApiError, FrigateNotFoundError
from frigate_privacy.frigate.identifiers import path_camera, path_event_id
from frigate_privacy.frigate.models import ApiEvent
from frigate_privacy.service.api.identity import Identity, Permission, allows
from frigate_privacy.service.api.media import (
    closing_chunks,
    first_chunk,
    original_clip_chunks,
    redacted_clip_chunks,
)
from frigate_privacy.service.api.state import ApiState, State, requires

__all__ = ["ORIGINAL_ACTION", "router"]

logger = logging.getLogger(__name__)

ORIGINAL_ACTION = "api.original"
router = APIRouter(prefix="/api", tags=["media"])
Viewer = Annotated[Identity, Depends(requires(Permission.media))]
Original = Annotated[
    bool, Query(description="Admins only: Frigate's unredacted media; every access is written to the audit log.")
]
_JPEG = {"content": {"image/jpeg": {}}, "description": "A masked JPEG (or the original for `?original=true`)."}


def _valid_camera(camera: str) -> str:
    try:
        return path_camera(camera)
    except PrivacyError as err:
        raise HTTPException(status_code=400, detail=str(err)) from None


def _frigate_error(err: FrigateApiError) -> HTTPException:
    if isinstance(err, FrigateNotFoundError):
        return HTTPException(status_code=404, detail="Frigate has no such item")
    return HTTPException(status_code=502, detail=f"Frigate: {err}")


def _event(api: ApiState, event_id: str) -> ApiEvent:
    try:
        path_event_id(event_id)
    except PrivacyError as err:
        raise HTTPException(status_code=400, detail=str(err)) from None
    try:
        return api.ctx.frigate.event(event_id)
    except FrigateApiError as err:
        raise _frigate_error(err) from None


def _original_allowed(api: ApiState, request: Request, who: Identity, camera: str, what: str) -> None:
    """Admins only; the access is audited before a byte is sent, and refused when it cannot be audited."""
    if not allows(who.role, Permission.original):
        api.guard.deny(request, who, 403, f"role {who.role.value} lacks original", camera=camera)
    try:
        api.ctx.audit.record(
            actor=who.name,
            role=who.role.value,
            action=ORIGINAL_ACTION,
            target=what[:512],
            reason="unredacted media requested through the API",
            result=AuditResult.success.value,
            camera=camera,
            details={"address": request.client.host if request.client else "unknown", "via": who.via},
        )
    except PrivacyError as err:
        logger.error("original refused, audit log not writable: %s", err)
        raise HTTPException(status_code=503, detail="the audit log cannot be written; originals are refused") from None


async def _still(
    api: ApiState, camera: str, fetch: Callable[[], bytes], original: bool, persons: Sequence[RelBox] = ()
) -> Response:
    try:
        data = await run_in_threadpool(fetch)
    except FrigateApiError as err:
        raise _frigate_error(err) from None
    if not original:
        try:
            data = await run_in_threadpool(api.stills.mask, camera, data, persons)
        except PrivacyError as err:
            # Fail closed: no image at all rather than an unmasked one.
            logger.error("masking a still of %s failed: %s", camera, err)
            raise HTTPException(status_code=503, detail=f"masking failed; nothing is shown: {err}") from None
    return Response(content=data, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


@router.get("/cameras/{camera}/latest.jpg", responses={200: _JPEG})
async def latest_jpg(camera: str, request: Request, api: State, who: Viewer, original: Original = False) -> Response:
    """The camera's newest frame, masked."""
    _valid_camera(camera)
    api.guard.check_camera(request, who, camera)
    if original:
        _original_allowed(api, request, who, camera, f"latest.jpg of {camera}")
    return await _still(api, camera, lambda: api.ctx.frigate.latest_jpeg(camera), original)


async def _event_still(
    api: ApiState, request: Request, who: Identity, event_id: str, kind: str, original: bool
) -> Response:
    """An event's snapshot or thumbnail: camera checked, original audited, else masked."""
    event = await run_in_threadpool(_event, api, event_id)
    api.guard.check_camera(request, who, event.camera)
    if original:
        _original_allowed(api, request, who, event.camera, f"{kind} of event {event_id}")
    frigate = api.ctx.frigate
    if kind == "snapshot":
        # The person box Frigate saved with the snapshot frame is masked too (fail closed when ours misses).
        persons = [RelBox.from_xywh(event.data.box)] if event.label == "person" and event.data.box else []
        return await _still(api, event.camera, lambda: frigate.event_snapshot_jpeg(event_id), original, persons)
    return await _still(api, event.camera, lambda: frigate.event_thumbnail_jpeg(event_id), original)


@router.get("/events/{event_id}/snapshot.jpg", responses={200: _JPEG})
async def event_snapshot(
    event_id: str, request: Request, api: State, who: Viewer, original: Original = False
) -> Response:
    """The event's snapshot, masked."""
    return await _event_still(api, request, who, event_id, "snapshot", original)


@router.get("/events/{event_id}/thumbnail.jpg", responses={200: _JPEG})
async def event_thumbnail(
    event_id: str, request: Request, api: State, who: Viewer, original: Original = False
) -> Response:
    """The event's thumbnail, masked (the crop is small; persons in it get their heads masked when no face shows)."""
    return await _event_still(api, request, who, event_id, "thumbnail", original)


@router.get(
    "/events/{event_id}/clip.mp4",
    responses={200: {"content": {"video/mp4": {}}, "description": "Fragmented MP4, masked, without audio."}},
)
async def event_clip(
    event_id: str, request: Request, api: State, who: Viewer, original: Original = False
) -> StreamingResponse:
    """The event's clip streamed through the engine (masked, audio dropped); never written to disk."""
    event = await run_in_threadpool(_event, api, event_id)
    api.guard.check_camera(request, who, event.camera)
    pad = api.ctx.config.export.event_padding
    start = event.start_time - pad
    end = (event.end_time if event.end_time is not None else time.time()) + pad
    if original:
        _original_allowed(api, request, who, event.camera, f"clip of event {event_id}")
        chunks = original_clip_chunks(api.ctx.frigate, event.camera, start, end)
    else:
        cfg = api.ctx.config
        chunks = redacted_clip_chunks(
            api.ctx.frigate, event.camera, start, end, api.masking_for(event.camera), cfg.encoding, api.engine_factory
        )
    try:
        head, rest = await run_in_threadpool(first_chunk, chunks)
    except PrivacyError as err:
        raise HTTPException(status_code=502, detail=f"no clip: {err}") from None
    return StreamingResponse(closing_chunks(head, rest), media_type="video/mp4", headers={"Cache-Control": "no-store"})
