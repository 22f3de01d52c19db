"""Mask styles, privacy zones and the redactor: frame plus regions in, masked frame out."""
