"""WSDL → typed GraphQL: the part of the WSDL import that the connector platform will reuse.

``model`` reads zeep's loaded WSDL (every service, port and binding) into a small typed model,
``types`` maps XSD types to GraphQL with the exactness rules, ``facets`` keeps the restrictions
zeep drops, ``sdl`` renders the schema, ``validate`` enforces restrictions on input and
``report`` says per WSDL what was found and what could not be used (``repair``: what was
repaired in memory to import at all, as warnings). ``values`` maps reply and input values
exactly (``anybound`` keeps zeep's xs:any from swallowing the elements after it),
``sample`` builds inputs and replies, ``faultdetail`` models the declared wsdl:faults, and
``roundtrip`` proves it all end to end — with zeep alone, and over HTTP against the generated
sandbox (``WsdlSandbox``, among the sandboxes), checked by ``conform`` against the SDL.
"""

from colonnade.wsdl_import.model import WsdlModel, build_model
from colonnade.wsdl_import.report import ImportReport, import_wsdl

__all__ = ["ImportReport", "WsdlModel", "build_model", "import_wsdl"]
