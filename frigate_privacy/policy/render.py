"""Human-readable text of plans and outcomes, for the CLI."""

from __future__ import annotations

from collections.abc import Sequence

from frigate_privacy.config.camera import AudioPolicy
from frigate_privacy.policy.apply import StepOutcome
from frigate_privacy.policy.audio import AudioReport
from frigate_privacy.policy.erasure import ErasureReport
from frigate_privacy.policy.retention import RetentionReport
from frigate_privacy.policy.steps import Residue, Step

__all__ = ["render_audio", "render_erasure", "render_retention"]


def _days(value: float | None) -> str:
    return "-" if value is None else f"{value:g} d"


def _steps(steps: Sequence[Step]) -> list[str]:
    out = []
    for i, s in enumerate(steps, 1):
        value = f" = {s.params['value']}" if "value" in s.params else ""
        where = f" [{s.camera}]" if s.camera else ""
        out.append(f"  {i:3d}. {s.kind.value}{where} {s.target}{value}")
        out.append(f"       via {s.api}; {s.reason}")
    return out


def _outcomes(outcomes: Sequence[StepOutcome]) -> list[str]:
    return [
        f"  {o.status.value:>15}  {o.step.kind.value} {o.step.target}" + (f" ({o.detail})" if o.detail else "")
        for o in outcomes
    ]


def _residue(residue: Sequence[Residue]) -> list[str]:
    return [f"  - {r.what}{f' [{r.camera}]' if r.camera else ''}: {r.why}" for r in residue]


def render_retention(report: RetentionReport) -> str:
    """Findings, planned steps, residue, notes and (after --apply) outcomes."""
    plan = report.plan
    out = [f"Frigate {plan.version}: retention {'applied' if report.applied else 'plan (dry run)'}", ""]
    if plan.findings:
        out.append("Kept longer than the policy allows:")
        out += [
            f"  {f.camera or '-'}: {f.what}: Frigate {_days(f.frigate_days)}, "
            f"policy {_days(f.policy_days)} -> {f.remedy}"
            for f in plan.findings
        ]
    else:
        out.append("Nothing is kept longer than the policy allows.")
    out += ["", f"Steps ({len(plan.steps)}):", *(_steps(plan.steps) or ["  none"])]
    if plan.residue:
        out += ["", "Left behind:", *_residue(plan.residue)]
    if report.applied:
        out += ["", "Outcome:", *(_outcomes(report.outcomes) or ["  nothing to do"])]
        out.append("complete" if report.complete else "INCOMPLETE: run again once Frigate is reachable")
        if report.restarted:
            out.append("Frigate was restarted to apply the new settings.")
    out += [f"note: {n}" for n in plan.notes]
    if not report.applied and plan.steps:
        out.append("dry run: nothing was changed; add --apply to carry out the plan")
    return "\n".join(out)


def render_erasure(report: ErasureReport) -> str:
    """The erasure plan or result in text."""
    plan = report.plan
    out = [
        f"Frigate {plan.version}: erasure of {plan.selector.describe()} {'applied' if report.applied else '(dry run)'}",
        f"events found: {len(plan.events)}",
        "",
        f"Steps ({len(plan.steps)}):",
        *(_steps(plan.steps) or ["  none"]),
    ]
    if plan.residue:
        out += ["", "Cannot be deleted this way (reported to the data subject):", *_residue(plan.residue)]
    out += ["", "Our own stores:"]
    for store in report.our_stores():
        note = f" ({store['note']})" if store.get("note") else ""
        out.append(f"  {store['store']}: {store['found']} found, {store['removed']} removed{note}")
    if report.applied:
        out += ["", "Outcome:", *(_outcomes(report.outcomes) or ["  nothing to do"])]
        out.append("complete" if report.complete else "INCOMPLETE: run the same command again")
        out += [f"report: {p}" for p in report.report_files]
    out += [f"note: {n}" for n in plan.notes]
    if not report.applied and plan.steps:
        out.append("dry run: nothing was deleted; add --apply to carry out the erasure")
    return "\n".join(out)


def render_audio(report: AudioReport) -> str:
    """Per-camera audio verdicts, planned changes and stop-gaps."""
    plan = report.plan
    out = [f"Frigate {plan.version}: audio {'enforced' if report.applied else 'check (dry run)'}", ""]
    for cam in plan.cameras:
        out.append(f"  {cam.camera}: policy {cam.policy.value}, {cam.verdict.value} - {cam.detail}")
        if cam.new_args:
            out.append(f"    -> ffmpeg.output_args.record = {cam.new_args}")
    out += ["", f"Steps ({len(plan.steps)}):", *(_steps(plan.steps) or ["  none"])]
    if plan.stop_gaps:
        out += ["", "Stop-gaps until the change takes effect:", *(f"  - {s}" for s in plan.stop_gaps)]
    if report.applied:
        out += ["", "Outcome:", *(_outcomes(report.outcomes) or ["  nothing to do"])]
        if report.restarted:
            out.append("Frigate was restarted to apply the new record args.")
    out += [f"note: {n}" for n in plan.notes]
    if report.after is not None:
        out += ["", "After the change (segments recorded since then):"]
        forbidden = [c for c in report.after.cameras if c.policy is AudioPolicy.forbid]
        out += [f"  {c.camera}: {c.verdict.value} - {c.detail}" for c in forbidden]
    if report.pending_restart:
        out.append(f"pending: Frigate must restart before {', '.join(report.pending_restart)} stop(s) recording audio")
    at_risk = [c.camera for c in (report.after or plan).needing_fix if c.camera not in report.remaining]
    if at_risk:
        out.append(
            f"{len(at_risk)} camera(s) at risk (record args keep audio; none recorded now): {', '.join(at_risk)}"
        )
    out.append(f"{len(report.remaining)} camera(s) violate their audio policy")
    return "\n".join(out)
