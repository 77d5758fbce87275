"""The durable write queue: synchronous microsecond enqueue, per-page order, coalescing, worker.

``Outbox`` (``syncbridge.outbox.queue``) takes writes; ``OutboxWorker``
(``syncbridge.outbox.worker``) sends them to Notion. See docs/outbox.md.
"""
