"""The WSDL runtime connector's tests: real SOAP over loopback (the ERP sandbox, and a small
quotes service of their own for headers, WS-Security and declared faults)."""
