"""Federation tooling around the graph: exporting subgraph SDL and composing a supergraph."""
