"""`GET /api/cameras/<camera>/live.mjpeg`: the masked live picture, shared with every other viewer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from frigate_privacy.errors import PrivacyError
from frigate_privacy.frigate.identifiers import path_camera
from frigate_privacy.service.api.identity import Identity, Permission
from frigate_privacy.service.api.state import State, requires
from frigate_privacy.service.live.hub import LiveHub

__all__ = ["BOUNDARY", "router"]

BOUNDARY = "frame"
router = APIRouter(prefix="/api", tags=["live"])
Viewer = Annotated[Identity, Depends(requires(Permission.media))]


async def _parts(hub: LiveHub, camera: str) -> AsyncIterator[bytes]:
    """Multipart JPEG parts while the viewer stays; leaving (cancellation) releases the stream."""
    with hub.watch(camera) as stream:
        seq = 0
        while True:
            frame = await run_in_threadpool(stream.next_frame, seq, 1.0)
            if frame is None:
                if not stream.running:
                    return
                continue
            seq = frame.seq
            yield (
                f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(frame.jpeg)}\r\n\r\n".encode()
                + frame.jpeg
                + b"\r\n"
            )


@router.get(
    "/cameras/{camera}/live.mjpeg",
    response_class=StreamingResponse,
    responses={200: {"content": {f"multipart/x-mixed-replace; boundary={BOUNDARY}": {}}}},
)
async def live_mjpeg(camera: str, request: Request, api: State, who: Viewer) -> StreamingResponse:
    """The live picture, masked; delayed by `api.live.delay_seconds` so a face is masked from its first frame."""
    try:
        path_camera(camera)
    except PrivacyError as err:
        raise HTTPException(status_code=400, detail=str(err)) from None
    api.guard.check_camera(request, who, camera)
    return StreamingResponse(
        _parts(api.live, camera),
        media_type=f"multipart/x-mixed-replace; boundary={BOUNDARY}",
        headers={"Cache-Control": "no-store"},
    )
