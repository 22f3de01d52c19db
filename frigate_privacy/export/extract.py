"""Decrypt a bundle into a directory: verified first, files (0600) appear only when everything checked out."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from pathlib import Path

from frigate_privacy.crypto.signing import PublicKey
from frigate_privacy.errors import InputError
from frigate_privacy.export.bundle_reader import MemberSink
from frigate_privacy.export.verify import PlaintextOpener, VerifyReport, safe_member_name, verify_bundle
from frigate_privacy.storage.atomic import PARTIAL_PREFIX, AtomicFile
from frigate_privacy.storage.leftovers import sweep_leftovers

__all__ = ["extract_bundle"]


def _output_dir(directory: Path) -> Path:
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(f"cannot create the output directory {directory}: {err.strerror}") from None
    return directory


def extract_bundle(open_plaintext: PlaintextOpener, trusted: Sequence[PublicKey], out_dir: Path) -> VerifyReport:
    """Verify and, only if it passes, write every member into `out_dir` (never replacing a file).

    Members are written to unnamed temporary files while they are hashed and named only after the whole
    bundle verified; on any problem or error nothing appears in `out_dir`.
    """
    directory = _output_dir(out_dir)
    # Where the file system has no O_TMPFILE, members are written under hidden partial names; a decrypt
    # killed with SIGKILL leaves them. Every decrypt removes those of writers that are gone before it starts.
    sweep_leftovers(directory, PARTIAL_PREFIX)
    outputs: dict[str, AtomicFile] = {}

    def sink_for(name: str) -> MemberSink | None:
        if not safe_member_name(name) or name in outputs:
            return None  # verification reports it; it is never written
        target = directory / name
        if os.path.lexists(target):
            raise InputError(f"{target} already exists; choose an empty output directory")
        outputs[name] = AtomicFile(target)
        return outputs[name]

    try:
        report = verify_bundle(open_plaintext, trusted, sink_for)
        if report.ok:
            for output in outputs.values():
                output.commit()
        return report
    finally:
        for output in outputs.values():
            with contextlib.suppress(OSError):
                output.discard()
