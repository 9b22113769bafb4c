"""Local stand-ins for the CRM (Salesforce-shaped), payments (Stripe-shaped) and ERP
(SAP-shaped SOAP) providers, with scripted faults and a call recorder."""

from colonnade.sandboxes.app import SandboxSet
from colonnade.sandboxes.faults import Fault, FaultBook
from colonnade.sandboxes.recorder import CallRecord, Recorder
from colonnade.sandboxes.server import ServedSandbox

__all__ = ["CallRecord", "Fault", "FaultBook", "Recorder", "SandboxSet", "ServedSandbox"]
