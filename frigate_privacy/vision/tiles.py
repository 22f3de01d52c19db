"""A large detector input searched as overlapping tiles, plus one small copy for faces a tile could cut.

YuNet_n's cost per megapixel grows with its input: one thread on a quiet core took 15 ms per megapixel at
640 px and 28.5 at 2560 x 1440, and with a transcode beside it 17 against 39 (its layers' outputs stop
fitting the caches). The gray-sized full passes at 1080p (2560 x 1440) are such inputs. Cut into tiles
that overlap by `TILE_OVERLAP` detector pixels, every face up to that size lies whole in some tile; larger
faces may be cut, so one copy of the whole frame, small enough to cost a tenth of the pass, is searched
at a scale that gives a face of the overlap's size `COMPANION_MARGIN` times the detector pixels its pass
is sized for. Nothing is dropped: overlapping boxes are joined into their union, not suppressed.
"""

from __future__ import annotations

import math

from frigate_privacy.vision.box_mapping import concat_detections, to_frame
from frigate_privacy.vision.crops import BatchDetector
from frigate_privacy.vision.nms import join_overlapping
from frigate_privacy.vision.pyramid import Pyramid
from frigate_privacy.vision.resolution import scaled_detect
from frigate_privacy.vision.types import Detections

__all__ = ["TILE_ABOVE_PX", "TILE_OVERLAP", "TILE_SIDE", "tile_spans", "tiled_detect"]

# Scaled inputs with more pixels than this are tiled: a 1080p frame's gray-sized pass (3.7 million) took
# 101 instead of 139 ms beside other work; 720p's (1.7 million) gained nothing in the whole run.
TILE_ABOVE_PX = 2_000_000
# Tiles are at most this many detector pixels per side ...
TILE_SIDE = 704
# ... and overlap by this many, the largest face a tile is sure to see whole.
TILE_OVERLAP = 128
# The whole-frame copy gives a face of TILE_OVERLAP pixels this many times the detector pixels its pass
# needs (YuNet_n found 89 % of colour faces at 16 px and 99 % at 20; gray 92 % at 32).
COMPANION_MARGIN = 1.25


def tile_spans(length: int, side: int = TILE_SIDE, overlap: int = TILE_OVERLAP) -> list[tuple[int, int]]:
    """(start, end) of equal tiles of at most `side` covering `[0, length)`, neighbours sharing `overlap` or more."""
    if length <= side:
        return [(0, length)]
    count = math.ceil((length - overlap) / (side - overlap))
    # Equal tiles, a multiple of 32 (the detector pads its input to one) where that still fits the side.
    tile = math.ceil((length - overlap) / count) + overlap
    tile = min(side, length, math.ceil(tile / 32) * 32)
    starts = [i * (tile - overlap) for i in range(count - 1)] + [length - tile]
    return [(s, s + tile) for s in starts]


def tiled_detect(detector: BatchDetector, pyramid: Pyramid, scale: float, face_px: float) -> Detections:
    """`scaled_detect` at `scale` in tiles when the copy is large; `face_px`: detector pixels its faces need."""
    sw, sh = pyramid.size_at(scale)
    if sw * sh <= TILE_ABOVE_PX:
        return scaled_detect(detector, pyramid, scale)
    image = pyramid.resized(scale)
    origins = [(x0, y0, x1, y1) for y0, y1 in tile_spans(sh) for x0, x1 in tile_spans(sw)]
    found = [
        to_frame(detector.detect_many([image[y0:y1, x0:x1]])[0], scale, (x0 / scale, y0 / scale))
        for x0, y0, x1, y1 in origins
    ]
    companion = min(1.0, COMPANION_MARGIN * face_px / TILE_OVERLAP)
    found.append(scaled_detect(detector, pyramid, scale * companion))
    # Joined, not suppressed: a part of a face that a tile cut may score higher than the whole face.
    return join_overlapping(concat_detections(found), detector.nms_iou)
