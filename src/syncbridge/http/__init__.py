"""syncbridge.http."""
