"""Local stand-ins for the CRM (Salesforce-shaped), payments (Stripe-shaped) and ERP
(SAP-shaped SOAP) providers, with scripted faults and a call recorder."""

from sandboxes.app import SandboxSet
from sandboxes.faults import Fault, FaultBook
from sandboxes.recorder import CallRecord, Recorder
from sandboxes.server import ServedSandbox

__all__ = ["CallRecord", "Fault", "FaultBook", "Recorder", "SandboxSet", "ServedSandbox"]
