"""The redacted live view: one decoder per camera, masked with look-ahead, shared by every viewer."""
