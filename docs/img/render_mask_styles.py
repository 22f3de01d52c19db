"""Render docs/img/mask-styles.png: every installed mask style on a synthetic, drawn test face.

Run from the repository root: `python docs/img/render_mask_styles.py`. The card is drawn with OpenCV,
so the picture carries no real person's face and no third-party image.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from frigate_privacy.masking.geometry import face_mask
from frigate_privacy.masking.registry import available_styles, load_style
from frigate_privacy.masking.types import MaskRegion, RegionKind

PANEL_W, PANEL_H = 240, 280
FACE = (74.0, 92.0, 166.0, 200.0)  # the "detected" face box: eyebrows to chin, ear to ear
OUT = Path(__file__).with_name("mask-styles.png")


def test_card() -> np.ndarray:
    """A cartoon face with hair, ears and fine texture over a striped wall."""
    img = np.zeros((PANEL_H, PANEL_W, 3), np.uint8)
    for x in range(0, PANEL_W, 24):  # wall planks: shows where collateral would be
        img[:, x : x + 12] = (170, 190, 205)
        img[:, x + 12 : x + 24] = (150, 170, 185)
    cv2.rectangle(img, (40, 200), (200, 280), (90, 60, 40), -1)  # shoulders
    cv2.ellipse(img, (120, 135), (52, 68), 0, 0, 360, (40, 40, 70), -1)  # hair
    cv2.ellipse(img, (66, 150), (10, 18), 0, 0, 360, (120, 160, 215), -1)  # ears
    cv2.ellipse(img, (174, 150), (10, 18), 0, 0, 360, (120, 160, 215), -1)
    cv2.ellipse(img, (120, 152), (46, 58), 0, 0, 360, (135, 175, 230), -1)  # face
    for cx in (100, 140):
        cv2.line(img, (cx - 13, 122), (cx + 11, 119), (30, 30, 50), 3)  # brows
        cv2.ellipse(img, (cx, 136), (10, 6), 0, 0, 360, (250, 250, 250), -1)
        cv2.circle(img, (cx, 136), 4, (80, 50, 20), -1)
    cv2.line(img, (120, 140), (114, 165), (90, 120, 180), 2)  # nose
    cv2.line(img, (114, 165), (124, 166), (90, 120, 180), 2)
    cv2.ellipse(img, (120, 182), (18, 7), 0, 10, 170, (60, 60, 170), 3)  # mouth
    rng = np.random.default_rng(0)  # skin texture: the fine detail a reversible blur would keep
    noise = rng.normal(0, 6, img.shape[:2])[..., None]
    return np.clip(img + noise, 0, 255).astype(np.uint8)


def panel(card: np.ndarray, style: str | None) -> np.ndarray:
    """One labelled panel: the card with `style` applied to the tracker's 1.5x face mask."""
    img = card.copy()
    box = face_mask(np.array(FACE), np.zeros(2), 1.5, 16)
    if style is not None:
        region = MaskRegion((box[0], box[1], box[2], box[3]), RegionKind.face, 1, (FACE[0], FACE[1]))
        load_style(style).apply(img, region, np.random.default_rng(1))
    label = np.full((30, PANEL_W, 3), 255, np.uint8)
    cv2.putText(label, style or "original", (8, 21), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 0, 0), 1, cv2.LINE_AA)
    return np.vstack([img, label])


def main() -> None:
    """Write the comparison PNG."""
    card = test_card()
    styles = [s for s in ("solid", "mean_noise", "pixelate", "strong_blur") if s in available_styles()]
    panels = [panel(card, None)] + [panel(card, s) for s in styles]
    gap = np.full((PANEL_H + 30, 6, 3), 255, np.uint8)
    row = np.hstack([p for pair in zip(panels, [gap] * len(panels), strict=True) for p in pair][:-1])
    cv2.imwrite(str(OUT), row)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
