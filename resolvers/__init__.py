"""Orchestration: which port answers which field, batched through per-request DataLoaders.
No HTTP and no XML here — only ports, loaders and domain models."""
