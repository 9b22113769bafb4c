"""Local stand-ins for every connector's provider (Salesforce-, Stripe-, SAP-shaped, ...),
with scripted faults and a call recorder; ``plugins`` hands them to the engine."""

from colonnade.platform import SandboxHost
from colonnade.sandboxes.app import SandboxSet
from colonnade.sandboxes.faults import Fault, FaultBook
from colonnade.sandboxes.recorder import CallRecord, Recorder
from colonnade.sandboxes.server import ServedSandbox


def plugins() -> list[SandboxHost]:
    """The ``colonnade.plugins`` entry point ``sandboxes``."""
    return [SandboxHost(build=SandboxSet.for_plugins)]


__all__ = [
    "CallRecord",
    "Fault",
    "FaultBook",
    "Recorder",
    "SandboxSet",
    "ServedSandbox",
    "plugins",
]
