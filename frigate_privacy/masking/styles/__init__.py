"""Built-in mask styles, one per file, registered as `frigate_privacy.mask_styles` entry points."""
