"""Steps that remove one set of tracked objects with their footage and residue, per Frigate version (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from frigate_privacy.frigate.models import ApiEvent, Recording, ReviewItem
from frigate_privacy.policy.inventory import FrigateState
from frigate_privacy.policy.steps import Residue, Step, StepKind

__all__ = ["SubjectPlan", "covers", "recordings_step", "review_steps", "subject_steps"]

_REVIEWS_DELETE = "POST /api/reviews/delete"
_RECORDINGS_DELETE = "DELETE /api/recordings/start/<s>/end/<e>?cameras=<camera>"


@dataclass
class SubjectPlan:
    """Steps plus what stays behind."""

    steps: list[Step] = field(default_factory=list)
    residue: list[Residue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _overlaps(seg: Recording, start: float, end: float) -> bool:
    return seg.end_time > start and seg.start_time < end


def covers(review: ReviewItem, event: ApiEvent) -> bool:
    """Whether a review item covers an event: same camera and overlapping time, or it lists the event.

    `data.detections` is only a hint: real Frigate lists the objects that were active when the item was
    last updated, so it leaves many events out of the item that spans them.
    """
    if event.id in review.data.detections:
        return True
    if review.camera != event.camera:
        return False
    event_end = event.end_time if event.end_time is not None else event.start_time
    review_end = review.end_time if review.end_time is not None else float("inf")
    return review.start_time <= event_end and review_end >= event.start_time


def recordings_step(camera: str, start: float, end: float, reason: str) -> Step:
    """0.18: delete every segment of `camera` overlapping [start, end]."""
    start, end = round(start, 3), round(end, 3)
    return Step(
        StepKind.delete_recordings,
        f"{camera}@{start:.3f}-{end:.3f}",
        _RECORDINGS_DELETE,
        reason,
        camera,
        {"start": start, "end": end},
    )


def review_steps(state: FrigateState, review: ReviewItem, reason: str) -> SubjectPlan:
    """Delete a finished review item (with every overlapping segment) and its thumbnail file."""
    plan = SubjectPlan()
    if review.end_time is None:
        plan.residue.append(
            Residue(f"review item {review.id}", "still in progress; run again once it has ended", review.camera)
        )
        return plan
    plan.steps.append(
        Step(
            StepKind.delete_review,
            review.id,
            _REVIEWS_DELETE,
            reason,
            review.camera,
            {"start": review.start_time, "end": review.end_time},
        )
    )
    thumb = f"clips/review/thumb-{review.camera}-{review.id}.webp"
    if state.media_root_configured:
        plan.steps.append(Step(StepKind.delete_file, thumb, "file under frigate.media_root", reason, review.camera))
    else:
        plan.residue.append(
            Residue(
                f"review thumbnail {thumb}",
                "Frigate's review delete keeps the thumbnail and no API removes it; set frigate.media_root "
                "so the plugin can delete the file",
                review.camera,
            )
        )
    return plan


def subject_steps(
    state: FrigateState,
    events: Iterable[ApiEvent],
    reason: str,
    extra_reviews: Iterable[ReviewItem] = (),
) -> SubjectPlan:
    """Delete events, the review items holding them, their footage, thumbnails and face-training crops.

    Before 0.18, footage goes only with a review item (`POST /api/reviews/delete` removes every segment
    overlapping it); segments of an event outside every deleted review stay and are reported as residue.
    0.18 deletes the event's span (padded by pre/post capture) directly.
    """
    plan = SubjectPlan()
    events = list(events)
    ids = {e.id for e in events}
    reviews: dict[str, ReviewItem] = {r.id: r for r in extra_reviews}
    for review in state.reviews:
        held = [e for e in events if covers(review, e)]
        if not held:
            continue
        reviews[review.id] = review
        unlisted = [e.id for e in held if e.id not in review.data.detections]
        if unlisted:
            plan.notes.append(
                f"review item {review.id} spans event(s) {', '.join(unlisted)} on {review.camera} without listing "
                "them (Frigate lists only the objects active at its last update); it is deleted for its footage"
            )
    for review in reviews.values():
        part = review_steps(state, review, reason)
        plan.steps += part.steps
        plan.residue += part.residue
        others = [d for d in review.data.detections if d not in ids]
        if others and review.end_time is not None:
            plan.notes.append(
                f"deleting review item {review.id} also removes the review entry of {len(others)} other object(s) "
                "and every segment it spans; their events stay"
            )
    spans = [(r.camera, r.start_time, r.end_time) for r in reviews.values() if r.end_time is not None]
    for event in events:
        pad = state.pre_post_capture(event.camera)
        start = event.start_time - pad
        end = (event.end_time if event.end_time is not None else event.start_time) + pad
        segments = [s for s in state.recordings.get(event.id, []) if _overlaps(s, start, end)]
        if event.end_time is None:
            plan.residue.append(Residue(f"event {event.id}", "still in progress; run again once it has ended"))
            continue
        if state.version.has_recordings_delete:
            if segments:
                plan.steps.append(recordings_step(event.camera, start, end, reason))
        else:
            left = [s for s in segments if not any(c == event.camera and _overlaps(s, a, b) for c, a, b in spans)]
            if left:
                plan.residue.append(
                    Residue(
                        f"{len(left)} recording segment(s) around event {event.id}",
                        f"not covered by any review item; Frigate {state.version} has no API that deletes them "
                        "(0.18 has DELETE /api/recordings)",
                        event.camera,
                        len(left),
                    )
                )
        if state.version.at_least(0, 16):
            thumb = f"clips/thumbs/{event.camera}/{event.id}.webp"
            if state.media_root_configured:
                plan.steps.append(
                    Step(StepKind.delete_file, thumb, "file under frigate.media_root", reason, event.camera)
                )
            else:
                plan.residue.append(
                    Residue(
                        f"event thumbnail {thumb}",
                        "DELETE /api/events keeps it and no API removes it; set frigate.media_root",
                        event.camera,
                    )
                )
        for crop in state.face_crops or []:
            if crop.event_id == event.id:
                plan.steps.append(face_crop_step(crop.file, "train", reason))
        plan.steps.append(Step(StepKind.delete_event, event.id, "DELETE /api/events/<id>", reason, event.camera))
    return plan


def face_crop_step(file: str, folder: str, reason: str) -> Step:
    """Delete one face image: a training crop (`folder` = train) or a library image of a name."""
    return Step(
        StepKind.delete_face_crop,
        f"{folder}/{file}",
        f"POST /api/faces/{folder}/delete",
        reason,
        None,
        {"folder": folder, "file": file},
    )
