"""syncbridge.store."""
