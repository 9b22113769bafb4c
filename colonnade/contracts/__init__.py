"""Recorded contracts: what each connector depends on in its provider's answers, and drift.

``colonnade contracts record`` runs every connector's contract probe (a few representative
reads, declared by the connector) through a recorder on its HTTP client and writes the shapes
of the requests it sent and the responses it got to ``contract.json`` in the connector's
package; ``colonnade contracts verify`` runs the probes again and reports drift field by field
(removed, renamed, retyped, added fields; requests the provider now refuses). CI verifies
against the sandboxes; ``--live`` does the same against the real providers.
"""

from colonnade.contracts.drift import Drift, compare
from colonnade.contracts.recorder import Interaction, Recorder
from colonnade.contracts.shape import Shape, merge, shape_of_json, shape_of_xml

__all__ = [
    "Drift",
    "Interaction",
    "Recorder",
    "Shape",
    "compare",
    "merge",
    "shape_of_json",
    "shape_of_xml",
]
