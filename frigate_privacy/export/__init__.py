"""Redacted exports: bundle, manifest, verify and the export job."""
