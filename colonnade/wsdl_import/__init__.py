"""WSDL → typed GraphQL: the part of the WSDL import that the connector platform will reuse.

``model`` reads zeep's loaded WSDL (every service, port and binding) into a small typed model,
``types`` maps XSD types to GraphQL with the exactness rules, ``facets`` keeps the restrictions
zeep drops, ``sdl`` renders the schema, ``validate`` enforces restrictions on input and
``report`` says per WSDL what was found and what could not be used.
"""

from colonnade.wsdl_import.model import WsdlModel, build_model
from colonnade.wsdl_import.report import ImportReport, import_wsdl

__all__ = ["ImportReport", "WsdlModel", "build_model", "import_wsdl"]
