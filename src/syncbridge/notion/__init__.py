"""syncbridge.notion."""
