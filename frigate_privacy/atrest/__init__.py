"""Privacy at rest: Frigate's stored media masked in place, originals kept only as encrypted escrow."""
