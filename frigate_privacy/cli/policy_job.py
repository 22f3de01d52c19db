"""What the policy commands (retention, audio, erase) share: run one job against Frigate as the operator."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TypeVar

from frigate_privacy.audit.actor import operator_actor
from frigate_privacy.audit.location import open_audit_log
from frigate_privacy.audit.log import AuditLog
from frigate_privacy.config import load_config
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.exit_codes import ExitCode
from frigate_privacy.frigate.client import FrigateClient

__all__ = ["INCOMPLETE_EXIT", "OPERATOR_ROLE", "PolicyJob", "run_policy_job"]

# Exit code when --apply could not finish (Frigate went down halfway): run the same command again.
INCOMPLETE_EXIT = ExitCode.INCOMPLETE

# Someone at the command line runs with the host's rights, so the audit log records them as admin.
OPERATOR_ROLE = "admin"

R = TypeVar("R")
# (config, client, audit log or None on a dry run, actor) -> the job's report
PolicyJob = Callable[[PrivacyConfig, FrigateClient, AuditLog | None, str], R]


def run_policy_job(args: argparse.Namespace, job: PolicyJob[R]) -> R:
    """Load `--config`, open the audit log only for `--apply`, connect to Frigate and run `job` as the operator."""
    cfg = load_config(args.config)
    audit = open_audit_log(cfg) if args.apply else None
    try:
        with FrigateClient.from_config(cfg.frigate) as client:
            return job(cfg, client, audit, operator_actor())
    finally:
        if audit is not None:
            audit.close()
