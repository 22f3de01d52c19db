"""Small JSON routes the web panel reads: who am I, the cameras and their switches, the audit log, at rest.

The switches go through the service's one `CameraControls` (the same one Home Assistant's commands use),
audited with the panel user's identity.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from frigate_privacy.errors import PrivacyError
from frigate_privacy.frigate.errors import FrigateApiError
from frigate_privacy.frigate.identifiers import path_camera
from frigate_privacy.service.api.identity import ROLE_PERMISSIONS, Identity, Permission
from frigate_privacy.service.api.state import ApiState, State, requires
from frigate_privacy.service.camera_controls import CameraControls, PauseUnavailableError
from frigate_privacy.service.homeassistant.checks import audit_verdict

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["panel"])
Viewer = Annotated[Identity, Depends(requires(Permission.media))]
CameraAdmin = Annotated[Identity, Depends(requires(Permission.cameras))]
Auditor = Annotated[Identity, Depends(requires(Permission.audit))]


class MeOut(BaseModel):
    """The caller as the API sees them."""

    name: str
    role: str
    via: str
    cameras: list[str] | None
    """The only cameras this caller may see; null means all."""
    permissions: list[str]


class CameraOut(BaseModel):
    """One camera the caller may see, with its privacy switches (null when not available here)."""

    name: str
    masking: bool | None
    style: str | None
    pause: dict[str, Any] | None


class SwitchIn(BaseModel):
    """Turn a switch on or off."""

    enabled: bool = Field(description="True: on (masking on / camera paused); false: off.")


def _controls(api: ApiState) -> CameraControls | None:
    controls: CameraControls | None = getattr(api.ctx, "controls", None)
    return controls


def _cameras(api: ApiState) -> list[str]:
    link = getattr(api.ctx, "link", None)
    if link is not None:
        names: list[str] = list(link.cameras())
        if names:
            return names
    try:
        return sorted(api.ctx.frigate.config().cameras)
    except FrigateApiError as err:
        raise HTTPException(status_code=502, detail=f"Frigate: {err}") from None


def _known_camera(api: ApiState, request: Request, who: Identity, camera: str) -> str:
    try:
        path_camera(camera)
    except PrivacyError as err:
        raise HTTPException(status_code=400, detail=str(err)) from None
    api.guard.check_camera(request, who, camera)
    if camera not in _cameras(api):
        raise HTTPException(status_code=404, detail=f"Frigate has no camera {camera}")
    return camera


@router.get("/me", response_model=MeOut)
def me(who: Viewer) -> MeOut:
    """The caller's name, role, camera limit and permissions (what the panel shows and hides)."""
    return MeOut(
        name=who.name,
        role=who.role.value,
        via=who.via,
        cameras=sorted(who.cameras) if who.cameras is not None else None,
        permissions=sorted(p.value for p in ROLE_PERMISSIONS[who.role]),
    )


@router.get("/cameras", response_model=list[CameraOut])
def cameras(api: State, who: Viewer) -> list[CameraOut]:
    """Frigate's cameras the caller may see, with masking, style and pause state."""
    controls = _controls(api)
    out = []
    for name in _cameras(api):
        if not who.sees(name):
            continue
        state = controls.state(name) if controls is not None else {}
        out.append(
            CameraOut(name=name, masking=state.get("masking"), style=state.get("style"), pause=state.get("pause"))
        )
    return out


def _require_controls(api: ApiState) -> CameraControls:
    controls = _controls(api)
    if controls is None:
        raise HTTPException(status_code=503, detail="camera switches need the running service (`frigate-privacy run`)")
    return controls


@router.put("/cameras/{camera}/masking", response_model=CameraOut)
def set_masking(camera: str, body: SwitchIn, request: Request, api: State, who: CameraAdmin) -> CameraOut:
    """Turn a camera's privacy masking on or off (audited with the caller's name, before it takes effect)."""
    _known_camera(api, request, who, camera)
    controls = _require_controls(api)
    reason = f"masking switched {'on' if body.enabled else 'off'} from the web panel"
    try:
        controls.set_masking(camera, body.enabled, actor=who.name, role=who.role.value, reason=reason)
    except PrivacyError as err:
        raise HTTPException(
            status_code=503, detail=f"the audit log cannot be written; nothing changed ({err})"
        ) from None
    return CameraOut(name=camera, **controls.state(camera))


@router.put("/cameras/{camera}/pause", response_model=CameraOut)
def set_pause(camera: str, body: SwitchIn, request: Request, api: State, who: CameraAdmin) -> CameraOut:
    """Privacy-pause (true) or resume (false) a camera through Frigate's toggles (audited with the caller's name)."""
    _known_camera(api, request, who, camera)
    controls = _require_controls(api)
    reason = f"{'paused' if body.enabled else 'resumed'} from the web panel"
    try:
        done = controls.set_pause(camera, body.enabled, actor=who.name, role=who.role.value, reason=reason)
    except PauseUnavailableError as err:
        raise HTTPException(status_code=409, detail=str(err)) from None
    if not done:
        raise HTTPException(status_code=503, detail="the audit log cannot be written; nothing changed")
    return CameraOut(name=camera, **controls.state(camera))


@router.get("/audit")
async def audit(
    api: State,
    who: Auditor,
    limit: Annotated[int, Query(ge=1, le=1000, description="How many of the newest entries.")] = 100,
) -> dict[str, Any]:
    """The newest audit entries the caller may see (newest first) and the whole chain's verification."""

    def read() -> dict[str, Any]:
        log = api.ctx.audit
        # A camera-limited admin sees only entries of their cameras; entries about no camera only unlimited admins.
        visible = [
            e for e in log.entries() if (e.camera is None and who.cameras is None) or (e.camera and who.sees(e.camera))
        ]
        ok, verdict = audit_verdict(log.path, Path(api.ctx.config.storage.data_dir))
        return {
            "verified": ok,
            "verification": verdict,
            "entries": [
                {
                    "seq": e.seq,
                    "ts": e.ts,
                    "actor": e.actor,
                    "role": e.role,
                    "action": e.action,
                    "target": e.target,
                    "camera": e.camera,
                    "reason": e.reason,
                    "result": e.result,
                }
                for e in reversed(visible[-limit:])
            ],
        }

    return await run_in_threadpool(read)


@router.get("/atrest")
async def atrest(api: State, who: Auditor) -> dict[str, Any]:
    """The at-rest backlog: cameras masked at rest, journal counts, files left, escrow size, failures."""

    def read() -> dict[str, Any]:
        from frigate_privacy.atrest.runner import AtRest  # heavy (engine, models): only when asked

        try:
            with AtRest(api.ctx.config, slot="api-status") as rest:
                status = rest.status()
        except PrivacyError as err:
            raise HTTPException(status_code=503, detail=f"at-rest status unavailable: {err}") from None
        data = asdict(status)
        data["cameras"] = [c for c in status.cameras if who.sees(c)]
        return data

    return await run_in_threadpool(read)
