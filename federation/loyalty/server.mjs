// The loyalty subgraph: a second team's service in another stack (Node, graphql-yoga,
// @apollo/subgraph), extending Colonnade's Customer by its key.
//
//   node federation/loyalty/server.mjs [--host 127.0.0.1] [--port 4002]
//
// GET /healthz answers when it is up; GET /__loyalty/calls counts what it was asked
// (operations, entity representations, requests that carried client credentials — never
// their values) so the end-to-end tests can see the router batch and forward.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { parse } from "graphql";
import { createYoga } from "graphql-yoga";
import { account, isMember, TIERS } from "./accounts.mjs";

const typeDefs = parse(readFileSync(new URL("./schema.graphql", import.meta.url), "utf8"));
const calls = { operations: 0, representations: 0, withCredentials: 0 };

const resolvers = {
  Query: {
    loyaltyAccount: (_root, { customerId }) => account(customerId),
    loyaltyMember: (_root, { customerId }) => (isMember(customerId) ? { id: customerId } : null),
    loyaltyTiers: () => TIERS,
  },
  Customer: {
    __resolveReference(reference) {
      calls.representations += 1;
      return { id: reference.id };
    },
    loyalty: (customer) => account(customer.id),
  },
};

const yoga = createYoga({
  schema: buildSubgraphSchema([{ typeDefs, resolvers }]),
  graphqlEndpoint: "/graphql",
  graphiql: false,
  landingPage: false,
  logging: "warn",
  plugins: [
    {
      onRequest({ request }) {
        if (new URL(request.url).pathname !== "/graphql") return;
        calls.operations += 1;
        if (request.headers.has("authorization") || request.headers.has("x-api-key")) {
          calls.withCredentials += 1;
        }
      },
    },
  ],
});

const { values } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "4002" },
  },
});

const server = createServer((req, res) => {
  if (req.url === "/healthz") {
    res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
    return;
  }
  if (req.url === "/__loyalty/calls") {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(calls));
    return;
  }
  yoga(req, res);
});

server.listen(Number(values.port), values.host, () => {
  console.error(`loyalty subgraph on http://${values.host}:${values.port}/graphql`);
});
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
