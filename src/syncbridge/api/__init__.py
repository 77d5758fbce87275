"""syncbridge.api."""
