"""Operator routes: right of access (where a person was seen), redacted exports and their encrypted bundles."""

from __future__ import annotations

import logging
import secrets
import threading
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from frigate_privacy.crypto.age_keys import load_recipients
from frigate_privacy.crypto.passphrase import check_passphrase
from frigate_privacy.errors import PrivacyError
from frigate_privacy.export.job import ExportRequest
from frigate_privacy.export.manifest import LegalBasis
from frigate_privacy.export.operations import make_export
from frigate_privacy.export.registry import ExportRegistry, registry_path
from frigate_privacy.export.times import TimeRange
from frigate_privacy.frigate.identifiers import path_camera, path_export_id
from frigate_privacy.policy.sightings import find_sightings
from frigate_privacy.service.api.identity import Identity, Permission
from frigate_privacy.service.api.jobs import ExportJob
from frigate_privacy.service.api.state import ApiState, State, requires

__all__ = ["router"]

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api", tags=["access"])
Operator = Annotated[Identity, Depends(requires(Permission.export))]


class SightingOut(BaseModel):
    """One event in which the person was recognised."""

    event_id: str
    camera: str
    start: float
    end: float | None
    sources: list[str]


class SubjectOut(BaseModel):
    """Where and when a person was seen."""

    sub_label: str
    sightings: list[SightingOut]


class ExportIn(BaseModel):
    """A redacted export of one camera's time range or events, encrypted to age recipients or a passphrase."""

    camera: str
    start: float | None = Field(default=None, description="Unix start time (with `end`).")
    end: float | None = Field(default=None, description="Unix end time.")
    event_ids: list[str] = Field(default_factory=list, description="Export these events' spans (padded).")
    keep_visible_sub_labels: list[str] = Field(default_factory=list, description="Leave these persons visible.")
    recipients: list[str] = Field(default_factory=list, description="age public keys (age1...).")
    passphrase: str | None = Field(default=None, description="Instead of recipients; refused when weak.")
    requester: str
    purpose: str
    legal_basis: LegalBasis


class ExportOut(BaseModel):
    """A finished export in the registry."""

    export_id: str
    camera: str
    start: float
    end: float
    created: float
    expires: float
    size: int


@router.get("/subjects/{sub_label}", response_model=SubjectOut)
async def subject(
    sub_label: str,
    request: Request,
    api: State,
    who: Operator,
    camera: Annotated[str | None, Query(description="Only this camera.")] = None,
    start: Annotated[float | None, Query(description="Unix time; sightings ending before are left out.")] = None,
    end: Annotated[float | None, Query(description="Unix time; sightings starting after are left out.")] = None,
) -> SubjectOut:
    """Right of access: every event in which Frigate recognised this person, from the track store and Frigate."""
    cameras = who.cameras
    if camera is not None:
        path_camera_or_400(camera)
        api.guard.check_camera(request, who, camera)
        cameras = frozenset({camera})
    found = await run_in_threadpool(
        lambda: find_sightings(
            sub_label, api.ctx.frigate, api.ctx.track_store, cameras=cameras, after=start, before=end
        )
    )
    return SubjectOut(sub_label=sub_label, sightings=[SightingOut(**s.to_dict()) for s in found])


def path_camera_or_400(camera: str) -> str:
    """The camera name, or 400 when it is not a Frigate camera name."""
    try:
        return path_camera(camera)
    except PrivacyError as err:
        raise HTTPException(status_code=400, detail=str(err)) from None


def _run_job(api: ApiState, job: ExportJob, req: ExportRequest, role: str) -> None:
    ctx = api.ctx
    store = ctx.track_store.db_path if ctx.track_store is not None else None
    try:
        result = make_export(ctx.config, req, role=role, track_store=store, client=ctx.frigate)
    except PrivacyError as err:
        api.export_jobs.put(job.model_copy(update={"state": "failed", "error": str(err)}))
    except Exception as err:
        logger.exception("export job %s failed", job.job_id)
        api.export_jobs.put(job.model_copy(update={"state": "failed", "error": type(err).__name__}))
    else:
        api.export_jobs.put(job.model_copy(update={"state": "done", "export_id": result.record.id}))


@router.post("/exports", response_model=ExportJob, status_code=202)
def start_export(body: ExportIn, request: Request, api: State, who: Operator) -> ExportJob:
    """Start a redacted, encrypted export; poll `/api/exports/jobs/<job_id>` for the result."""
    path_camera_or_400(body.camera)
    api.guard.check_camera(request, who, body.camera)
    try:
        recipients = load_recipients(body.recipients)
        if body.passphrase is not None:
            check_passphrase(body.passphrase)
        if bool(recipients) == (body.passphrase is not None):
            raise HTTPException(status_code=400, detail="give either age recipients or a passphrase, not both")
        span = None
        if body.start is not None or body.end is not None:
            if body.start is None or body.end is None:
                raise HTTPException(status_code=400, detail="give both start and end")
            span = TimeRange(body.start, body.end)
    except PrivacyError as err:
        raise HTTPException(status_code=400, detail=str(err)) from None
    req = ExportRequest(
        camera=body.camera,
        span=span,
        requester=body.requester,
        purpose=body.purpose,
        legal_basis=body.legal_basis,
        actor=who.name,
        event_ids=tuple(body.event_ids),
        keep_sub_labels=tuple(body.keep_visible_sub_labels),
        recipients=recipients,
        passphrase=body.passphrase,
    )
    job = ExportJob(job_id=secrets.token_hex(8), state="running", camera=body.camera)
    api.export_jobs.put(job)
    threading.Thread(target=_run_job, args=(api, job, req, who.role.value), name="api-export", daemon=True).start()
    return job


@router.get("/exports/jobs/{job_id}", response_model=ExportJob)
def export_job(job_id: str, request: Request, api: State, who: Operator) -> ExportJob:
    """The state of an export started through the API."""
    job = api.export_jobs.get(job_id)
    if job is None:
        raise HTTPException(status_code=404, detail="no such export job")
    api.guard.check_camera(request, who, job.camera)
    return job


def _registry(api: ApiState) -> ExportRegistry:
    return ExportRegistry(registry_path(Path(api.ctx.config.storage.data_dir)))


@router.get("/exports", response_model=list[ExportOut])
async def list_exports(api: State, who: Operator) -> list[ExportOut]:
    """Finished exports of the cameras the caller may see."""

    def read() -> list[ExportOut]:
        with _registry(api) as reg:
            records = reg.all()
        return [
            ExportOut(
                export_id=r.id,
                camera=r.camera,
                start=r.start,
                end=r.end,
                created=r.created,
                expires=r.expires,
                size=r.size,
            )
            for r in records
            if who.sees(r.camera)
        ]

    return await run_in_threadpool(read)


@router.get(
    "/exports/{export_id}/bundle",
    response_class=FileResponse,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "The age-encrypted bundle."}},
)
def export_bundle(export_id: str, request: Request, api: State, who: Operator) -> FileResponse:
    """Download an encrypted export bundle (`.fpx.age`); it opens only with its key or passphrase."""
    try:
        path_export_id(export_id)
    except PrivacyError as err:
        raise HTTPException(status_code=400, detail=str(err)) from None
    with _registry(api) as reg:
        record = reg.get(export_id)
    if record is None or not record.path.is_file():
        raise HTTPException(status_code=404, detail="no such export")
    api.guard.check_camera(request, who, record.camera)
    return FileResponse(record.path, media_type="application/octet-stream", filename=record.path.name)
