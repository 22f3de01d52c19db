"""How the plugin keeps its own files: atomic writes, leftover sweeping, SQLite with migrations."""
