"""The WSDL/XSD contracts of the SOAP services, shipped as package data (``colonnade.wsdl``).

Loaded from disk at start-up, never over the network; see ``colonnade.config.contracts_dir``.
"""
