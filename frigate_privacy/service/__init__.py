"""The long-running side-car: orchestration, scheduler, HTTP API, Home Assistant discovery."""
