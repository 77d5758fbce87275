"""``python -m syncbridge`` runs the CLI (the same as the ``syncbridge`` command)."""

from syncbridge.cli import main

main()
