"""syncbridge.monitoring."""
