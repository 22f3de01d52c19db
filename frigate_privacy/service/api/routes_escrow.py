"""Admin routes for originals kept in escrow by at-rest masking: list them, download the encrypted copies.

The API never holds an escrow secret key and never decrypts: an admin downloads the age ciphertext and
opens it on their own machine (`age -d -i key.txt`), so no original exists in plaintext on the server.
Every download is audited (`escrow_restore`) before a byte is sent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel

from frigate_privacy.atrest.journal import EscrowRecord, Journal
from frigate_privacy.atrest.workspace import workspace_for
from frigate_privacy.audit.actions import AuditAction, AuditResult
from frigate_privacy.errors import PrivacyError
from frigate_privacy.service.api.identity import Identity, Permission
from frigate_privacy.service.api.state import ApiState, State, requires

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["escrow"])
Admin = Annotated[Identity, Depends(requires(Permission.original))]


class EscrowOut(BaseModel):
    """One encrypted original."""

    id: str
    camera: str
    kind: str
    start: float
    end: float
    size: int
    sha256: str
    """Of the original, to check it after decrypting."""


def _journal(api: ApiState) -> tuple[Journal, Path]:
    try:
        workspace = workspace_for(api.ctx.config)
    except PrivacyError as err:
        raise HTTPException(status_code=404, detail=f"no escrow here: {err}") from None
    if not workspace.journal_path.exists():
        raise HTTPException(status_code=404, detail="nothing has been escrowed here")
    return Journal(workspace.journal_path), workspace.escrow_dir


@router.get("/escrow", response_model=list[EscrowOut])
def list_escrow(
    request: Request,
    api: State,
    who: Admin,
    camera: Annotated[str | None, Query(description="Only this camera.")] = None,
    start: Annotated[float | None, Query(description="Unix time; copies ending before are left out.")] = None,
    end: Annotated[float | None, Query(description="Unix time; copies starting after are left out.")] = None,
) -> list[EscrowOut]:
    """Escrow copies of the cameras the admin may see."""
    if camera is not None:
        api.guard.check_camera(request, who, camera)
    journal, _ = _journal(api)
    with journal:
        records = journal.find_escrow(camera, start, end)
    return [
        EscrowOut(id=r.id, camera=r.camera, kind=r.kind.value, start=r.start, end=r.end, size=r.size, sha256=r.sha256)
        for r in records
        if who.sees(r.camera)
    ]


def _file(escrow_dir: Path, record: EscrowRecord) -> Path:
    """The ciphertext, refusing a journal entry that points outside the escrow directory."""
    root = escrow_dir.resolve()
    path = (root / record.file).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise HTTPException(status_code=404, detail="the escrow copy is missing")
    return path


@router.get(
    "/escrow/{escrow_id}",
    response_class=FileResponse,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "The age-encrypted original."}},
)
def download_escrow(escrow_id: str, request: Request, api: State, who: Admin) -> FileResponse:
    """One encrypted original (decrypt it with an escrow identity: `age -d -i key.txt`); audited first."""
    journal, escrow_dir = _journal(api)
    with journal:
        record = journal.escrow_by_id(escrow_id)
    if record is None:
        raise HTTPException(status_code=404, detail="no such escrow copy")
    api.guard.check_camera(request, who, record.camera)
    path = _file(escrow_dir, record)
    try:
        api.ctx.audit.record(
            actor=who.name,
            role=who.role.value,
            action=AuditAction.escrow_restore.value,
            target=f"escrow {record.id} ({record.kind.value} {record.rel})"[:512],
            reason="encrypted original downloaded through the API",
            result=AuditResult.success.value,
            camera=record.camera,
            details={"address": request.client.host if request.client else "unknown", "sha256": record.sha256},
        )
    except PrivacyError as err:
        raise HTTPException(status_code=503, detail=f"the audit log cannot be written; refused ({err})") from None
    return FileResponse(path, media_type="application/octet-stream", filename=f"{record.id}.age")
