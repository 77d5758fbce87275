"""syncbridge.jobs."""
