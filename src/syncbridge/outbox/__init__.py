"""syncbridge.outbox."""
