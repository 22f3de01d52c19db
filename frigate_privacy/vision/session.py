"""onnxruntime session factory: explicit providers and thread counts, so detectors never oversubscribe."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import cv2
import onnxruntime as ort

from frigate_privacy.errors import ModelError

__all__ = ["SessionSettings", "create_session"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SessionSettings:
    """How a detector's onnxruntime session uses the machine."""

    threads: int | None = None
    """Intra-op threads; None uses every core (`os.cpu_count()`)."""
    inter_op_threads: int = 1
    """Our graphs are chains of convolutions; parallel branches buy nothing, extra pools cost context switches."""
    allow_spinning: bool = False
    """ORT workers busy-wait between ops by default; that steals the cores the decoder and encoder need."""
    cv2_threads: int = 1
    """OpenCV's pool for resize/colour conversion; kept small so it does not fight ORT's pool."""
    use_gpu: bool = True
    """Use the CUDA execution provider when onnxruntime offers it."""

    @staticmethod
    def for_video() -> SessionSettings:
        """Detection beside a video decoder and encoder: one core is left to them.

        On two cores one intra-op thread used 0.3-0.5 CPU-s less per 150 frames than two (5-9 %) for the
        same or a shorter wall time at 720p and 1080p: the second ORT thread mostly waited for cores that
        x264 was using.
        """
        return SessionSettings(threads=max(1, (os.cpu_count() or 1) - 1))

    def intra_op_threads(self) -> int:
        """Resolved intra-op thread count."""
        return max(1, self.threads if self.threads is not None else (os.cpu_count() or 1))


def _providers(use_gpu: bool) -> list[str]:
    available = ort.get_available_providers()
    if use_gpu and "CUDAExecutionProvider" in available:
        return ["CUDAExecutionProvider", "CPUExecutionProvider"]
    return ["CPUExecutionProvider"]


def create_session(model: Path, settings: SessionSettings | None = None) -> ort.InferenceSession:
    """An inference session for `model` with graph optimisation on and thread counts set explicitly."""
    settings = settings or SessionSettings()
    # Process-wide on purpose: OpenCV's default pool has one thread per core, which together with ORT's
    # pool would put two busy threads on every core during preprocessing.
    cv2.setNumThreads(settings.cv2_threads)
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.intra_op_num_threads = settings.intra_op_threads()
    options.inter_op_num_threads = settings.inter_op_threads
    options.add_session_config_entry("session.intra_op.allow_spinning", "1" if settings.allow_spinning else "0")
    options.log_severity_level = 3  # errors only: shape-inference chatter is not for users
    providers = _providers(settings.use_gpu)
    if os.environ.get("ORT_DISABLE_TELEMETRY") == "1":
        ort.disable_telemetry_events()  # the runtime's event switch too (a no-op where none are sent)
    try:
        session = ort.InferenceSession(str(model), sess_options=options, providers=providers)
    except Exception as err:  # onnxruntime raises its own untyped errors for unreadable or invalid graphs
        raise ModelError(f"cannot load model {model}: {err}") from err
    logger.debug("loaded %s with %s, %d threads", model.name, session.get_providers(), options.intra_op_num_threads)
    return session
