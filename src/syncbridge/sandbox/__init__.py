"""syncbridge.sandbox."""
