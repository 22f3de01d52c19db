"""Admin routes: users and tokens, erasure of a subject, retention apply."""

from __future__ import annotations

import time
from typing import Annotated, Any, Protocol

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from frigate_privacy.audit.actions import AuditAction, AuditResult
from frigate_privacy.audit.log import AuditLog
from frigate_privacy.config.api import ApiRole
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.errors import InputError, PrivacyError
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.policy.audio import run_audio
from frigate_privacy.policy.erasure import run_erasure
from frigate_privacy.policy.plan_erasure import ErasureSelector
from frigate_privacy.policy.retention import run_retention
from frigate_privacy.service.api.identity import Identity, Permission
from frigate_privacy.service.api.state import ApiState, State, requires
from frigate_privacy.service.api.users import ApiUser
from frigate_privacy.service.logs import add_secret

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["admin"])
UsersAdmin = Annotated[Identity, Depends(requires(Permission.users))]
ErasureAdmin = Annotated[Identity, Depends(requires(Permission.erasure))]
PolicyAdmin = Annotated[Identity, Depends(requires(Permission.policy))]


class UserOut(BaseModel):
    """A user as listed (never with a token)."""

    name: str
    role: ApiRole
    cameras: list[str] | None
    created: float
    revoked: float | None

    @classmethod
    def of(cls, user: ApiUser) -> UserOut:
        """From the store's record."""
        cams = sorted(user.cameras) if user.cameras is not None else None
        return cls(name=user.name, role=user.role, cameras=cams, created=user.created, revoked=user.revoked)


class UserIn(BaseModel):
    """A user to create."""

    name: str = Field(description="1-64 letters, digits and _ . @ -")
    role: ApiRole
    cameras: list[str] | None = Field(default=None, description="Only these cameras; omitted means all.")


class UserCreated(UserOut):
    """The new user and their token, which is shown only in this answer."""

    token: str


class ErasureIn(BaseModel):
    """Whose data to erase; a dry run unless `apply`."""

    sub_label: str = Field(description="The person's Frigate sub label.")
    apply: bool = Field(default=False, description="Carry out the erasure (default: only the plan).")
    include_face_library: bool = Field(default=False, description="Also delete the person's registered faces.")


class PolicyIn(BaseModel):
    """Plan or apply a policy (retention, audio)."""

    apply: bool = Field(default=False, description="Carry out the plan (default: only the plan).")
    restart: bool = Field(default=False, description="Restart Frigate when a change needs it.")


def _input_error(err: PrivacyError) -> HTTPException:
    return HTTPException(status_code=400 if isinstance(err, InputError) else 502, detail=str(err))


@router.get("/users", response_model=list[UserOut])
def list_users(api: State, who: UsersAdmin) -> list[UserOut]:
    """Every API user (tokens are never shown again)."""
    return [UserOut.of(u) for u in api.users.list()]


@router.post("/users", response_model=UserCreated, status_code=201)
def add_user(body: UserIn, api: State, who: UsersAdmin) -> UserCreated:
    """Create a user; the answer holds their token once."""
    try:
        user, token = api.users.add(body.name, body.role, body.cameras)
    except PrivacyError as err:
        raise _input_error(err) from None
    add_secret(token)  # the answer carries it once; no log line ever will
    api.ctx.audit.record(
        actor=who.name,
        role=who.role.value,
        action=AuditAction.role_change.value,
        target=f"api user {user.name}",
        reason=f"created with role {user.role.value}",
        result=AuditResult.success.value,
    )
    return UserCreated(**UserOut.of(user).model_dump(), token=token)


@router.delete("/users/{name}", response_model=UserOut)
def revoke_user(name: str, api: State, who: UsersAdmin) -> UserOut:
    """Revoke a user's token at once."""
    try:
        user = api.users.revoke(name)
    except PrivacyError as err:
        raise HTTPException(status_code=404, detail=str(err)) from None
    api.ctx.audit.record(
        actor=who.name,
        role=who.role.value,
        action=AuditAction.role_change.value,
        target=f"api user {user.name}",
        reason="token revoked",
        result=AuditResult.success.value,
    )
    return UserOut.of(user)


@router.post("/erasure")
async def erasure(body: ErasureIn, api: State, who: ErasureAdmin) -> dict[str, Any]:
    """Plan (or apply) the erasure of one person's footage, events, crops and exports."""
    try:
        selector = ErasureSelector(sub_label=body.sub_label)
    except ValueError as err:
        raise HTTPException(status_code=400, detail=str(err)) from None
    ctx = api.ctx
    try:
        report = await run_in_threadpool(
            lambda: run_erasure(
                ctx.config,
                ctx.frigate,
                ctx.audit if body.apply else None,
                selector,
                apply=body.apply,
                include_face_library=body.include_face_library,
                actor=who.name,
                role=who.role.value,
            )
        )
    except PrivacyError as err:
        raise _input_error(err) from None
    return report.to_dict()


class _PolicyReport(Protocol):
    def to_dict(self) -> dict[str, Any]: ...


class _PolicyJob(Protocol):
    """`run_retention` and `run_audio` share this shape."""

    def __call__(
        self,
        cfg: PrivacyConfig,
        client: FrigateClient,
        audit: AuditLog | None,
        now: float,
        *,
        apply: bool,
        restart: bool,
        actor: str,
        role: str,
    ) -> _PolicyReport: ...


async def _policy(job: _PolicyJob, body: PolicyIn, api: ApiState, who: Identity) -> dict[str, Any]:
    """Run one policy job as the caller; the audit log is written only when applying."""
    ctx = api.ctx
    try:
        report = await run_in_threadpool(
            lambda: job(
                ctx.config,
                ctx.frigate,
                ctx.audit if body.apply else None,
                time.time(),
                apply=body.apply,
                restart=body.restart,
                actor=who.name,
                role=who.role.value,
            )
        )
    except PrivacyError as err:
        raise _input_error(err) from None
    return report.to_dict()


@router.post("/retention")
async def retention(body: PolicyIn, api: State, who: PolicyAdmin) -> dict[str, Any]:
    """Plan (or apply) the retention policy against Frigate."""
    return await _policy(run_retention, body, api, who)


@router.post("/audio")
async def audio(body: PolicyIn, api: State, who: PolicyAdmin) -> dict[str, Any]:
    """Check every camera's recordings against its audio policy; with `apply`, switch audio recording off."""
    return await _policy(run_audio, body, api, who)
