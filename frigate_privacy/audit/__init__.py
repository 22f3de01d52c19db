"""The tamper-evident audit log: hash-chained entries, signed checkpoints, verify and show."""

from frigate_privacy.audit.actions import AuditAction, AuditResult
from frigate_privacy.audit.entry import AuditEntry, Checkpoint
from frigate_privacy.audit.log import AuditLog, EntryFilter
from frigate_privacy.audit.verify import VerifyReport, verify_chain, verify_log_file

__all__ = [
    "AuditAction",
    "AuditEntry",
    "AuditLog",
    "AuditResult",
    "Checkpoint",
    "EntryFilter",
    "VerifyReport",
    "verify_chain",
    "verify_log_file",
]
