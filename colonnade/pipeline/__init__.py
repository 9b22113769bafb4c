"""The outbound call pipeline (the design brief): cache → coalescing → deadline → retry → breaker →
rate limit → bulkhead → auth → attempt timeout → transport → classify."""
