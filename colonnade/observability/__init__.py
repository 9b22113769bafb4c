"""What operators see: metrics, access log, traces, the ops page and the offline GraphiQL."""
