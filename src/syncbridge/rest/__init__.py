"""syncbridge.rest."""
