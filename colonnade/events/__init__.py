"""Push integration: signed webhooks in (durable, deduplicated, ordered, retried), live
updates out (subscriptions through a broker), MQTT ingestion, and the audit log. One idea per
module; the engine names no connector (handlers are passed in by the composition root)."""
