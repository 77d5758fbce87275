"""syncbridge.sync."""
