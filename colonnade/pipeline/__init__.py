"""The outbound call pipeline (DESIGN.md): cache → coalescing → deadline → retry → breaker →
rate limit → bulkhead → auth → attempt timeout → transport → classify."""
