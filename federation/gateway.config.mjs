// Hive Gateway's configuration for Colonnade's federated graph (scripts/federation, tests).
//
//   hive-gateway supergraph SUPERGRAPH -c federation/gateway.config.mjs --port 4000
//
// - Client credentials go to every subgraph: Colonnade's gateway identifies the caller itself
//   (API key or bearer token), so the router forwards `Authorization` and `X-API-Key` and
//   nothing else of the client's.
// - Subgraph errors keep their `extensions` (`code`, `connector`, …) as Hive Gateway does by
//   default; it adds `serviceName` (the subgraph). Colonnade's response-level
//   `extensions.colonnade` labels are carried by colonnade-extensions.mjs.
import { defineConfig } from "@graphql-hive/gateway";
import { useColonnadeExtensions } from "./colonnade-extensions.mjs";

const FORWARDED = ["authorization", "x-api-key"];

export const gatewayConfig = defineConfig({
  propagateHeaders: {
    fromClientToSubgraphs({ request }) {
      const headers = {};
      for (const name of FORWARDED) {
        const value = request.headers.get(name);
        if (value) headers[name] = value;
      }
      return headers;
    },
  },
  plugins: () => [useColonnadeExtensions()],
  logging: process.env.COLONNADE_ROUTER_LOG ?? "warn",
});
