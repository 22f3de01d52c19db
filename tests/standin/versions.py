"""Per-version behaviour switches of the Frigate stand-in (facts from ../shared/reference/frigate.md)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VersionProfile:
    """What differs between Frigate releases, as far as the stand-in models it."""

    minor: int  # 14 .. 18
    full_version: str  # what GET /api/version answers
    # The `version` key of the migrated YAML / GET /api/config: 0.14 declares `Optional[float]` and its
    # migration writes the number 0.14; 0.15+ write strings such as "0.16-0".
    config_version: str | float

    @property
    def short(self) -> str:
        """`0.16` style name."""
        return f"0.{self.minor}"

    # --- config shape ---
    @property
    def retention_shape(self) -> str:
        """`events` (<=0.14), `alerts` (0.15/0.16) or `continuous` (0.17+)."""
        if self.minor <= 14:
            return "events"
        if self.minor <= 16:
            return "alerts"
        return "continuous"

    @property
    def default_record_preset(self) -> str:
        """Audio is recorded by default since 0.16 (PR #17125)."""
        return "preset-record-generic-audio-aac" if self.minor >= 16 else "preset-record-generic"

    @property
    def config_set_needs_body(self) -> bool:
        """0.15+ (FastAPI) requires a JSON body `{"requires_restart": 0|1}`."""
        return self.minor >= 15

    @property
    def config_set_literal_eval(self) -> bool:
        """0.15+ types values with ast.literal_eval (unless they contain a comma); 0.14 only ints."""
        return self.minor >= 15

    @property
    def config_set_empty_deletes(self) -> bool:
        """0.16+: an empty value deletes the key."""
        return self.minor >= 16

    @property
    def live_update_topics(self) -> frozenset[str]:
        """`update_topic` sections applied live by config/set (0.17+; ffmpeg only on 0.18)."""
        if self.minor < 17:
            return frozenset()
        base = {"record", "motion", "zones", "audio", "snapshots", "enabled", "detect", "review", "objects"}
        if self.minor >= 18:
            base |= {"ffmpeg", "mqtt", "face_recognition", "lpr"}
        return frozenset(base)

    # --- HTTP shape ---
    @property
    def flask(self) -> bool:
        """0.14 is Flask (HTML error pages); 0.15+ FastAPI (JSON errors)."""
        return self.minor <= 14

    @property
    def login_failure_status(self) -> int:
        """Errata: 0.14 answers a wrong password with 400, later versions with 401."""
        return 400 if self.minor <= 14 else 401

    @property
    def roles(self) -> bool:
        """0.16+ has admin/viewer roles and rejects tokens without a `role` claim."""
        return self.minor >= 16

    @property
    def bulk_event_delete(self) -> bool:
        """`DELETE /api/events/` with `{"event_ids": [...]}` (0.15+)."""
        return self.minor >= 15

    @property
    def review_by_event(self) -> bool:
        """`GET /api/review/event/<event_id>` (0.15+)."""
        return self.minor >= 15

    @property
    def export_id_in_response(self) -> bool:
        """0.14 returns no export id (match by name)."""
        return self.minor >= 15

    @property
    def export_id_has_times(self) -> bool:
        """0.16+: `<cam>_<YYYYmmdd_HHMMSS>-<YYYYmmdd_HHMMSS>_<6>` in container local time."""
        return self.minor >= 16

    @property
    def export_get_one(self) -> bool:
        """`GET /api/exports/<id>` (0.15+)."""
        return self.minor >= 15

    @property
    def export_rename_body(self) -> bool:
        """0.16+: `PATCH /api/export/<id>/rename {name}`; before `PATCH /api/export/<id>/<new_name>`."""
        return self.minor >= 16

    @property
    def export_delete_post(self) -> bool:
        """0.18: `POST /api/exports/delete {"ids": [...]}` and no `DELETE /api/export/<id>`."""
        return self.minor >= 18

    @property
    def recordings_delete_api(self) -> bool:
        """0.18: `DELETE /api/recordings/start/<s>/end/<e>`."""
        return self.minor >= 18

    @property
    def recordings_frozen_defaults(self) -> bool:
        """Errata: 0.16+ `GET /api/<cam>/recordings` defaults are fixed when the process started."""
        return self.minor >= 16

    @property
    def faces(self) -> bool:
        """Face recognition and `/api/faces` (0.16+)."""
        return self.minor >= 16

    # --- media / MQTT shape ---
    @property
    def event_thumb_files(self) -> bool:
        """`clips/thumbs/<cam>/<id>.webp` instead of base64 in the DB (0.16+)."""
        return self.minor >= 16

    @property
    def clean_snapshot_exts(self) -> tuple[str, ...]:
        """Clean snapshot forms written: png (<=0.16), png+webp (0.17), webp only (0.18)."""
        if self.minor <= 16:
            return ("png",)
        if self.minor == 17:
            return ("png", "webp")
        return ("webp",)

    @property
    def event_active_fields(self) -> bool:
        """`active`, `pending_loitering`, `max_severity` on events (0.15+)."""
        return self.minor >= 15

    @property
    def event_speed_path_fields(self) -> bool:
        """Speed, `path_data`, LPR fields on events (0.16+)."""
        return self.minor >= 16

    @property
    def camera_enabled_topic(self) -> bool:
        """`<cam>/enabled/set|state` (0.16+)."""
        return self.minor >= 16

    @property
    def runtime_state_persists(self) -> bool:
        """Errata: 0.18 keeps runtime toggles across restarts (.runtime_state.json)."""
        return self.minor >= 18

    @property
    def review_cutoff_seconds(self) -> float:
        """Errata: review items end after 120 s without activity (40 s on 0.18)."""
        return 40.0 if self.minor >= 18 else 120.0


_PROFILES = {
    "0.14": VersionProfile(14, "0.14.1-f4f3cfa", 0.14),
    "0.15": VersionProfile(15, "0.15.2-6f2f6b6", "0.15-1"),
    "0.16": VersionProfile(16, "0.16.4-4131252", "0.16-0"),
    "0.17": VersionProfile(17, "0.17.2-0c1f3e2", "0.17-0"),
    "0.18": VersionProfile(18, "0.18.0-beta2-9d1e7a4", "0.18-0"),
}

SUPPORTED_VERSIONS = tuple(_PROFILES)


def profile(version: str) -> VersionProfile:
    """The profile for `0.14` .. `0.18` (a full `0.16.4` also works); ValueError otherwise."""
    key = ".".join(version.split(".")[:2])
    if key not in _PROFILES:
        raise ValueError(f"unsupported Frigate version {version!r}; choose one of {', '.join(_PROFILES)}")
    return _PROFILES[key]
