// graphql-js side of the execution-only benchmark (see bench/execution_only.py).
//
// stdin: {sdl, query, variables, data, iterations, warmup, budget_ms}
// stdout: {node, graphql, variants: {sync: {...}, async: {...}}}
//
// `data` is the nested query's result; the root value hands it back field by field through
// graphql-js's default resolvers. "sync" reads pre-joined plain objects; "async" makes each
// customer's salesOrders and payments an async function (the default resolver calls it), as
// Colonnade's resolvers are. Each timed run is the full request path: parse, validate,
// execute (graphql()); "execute_only" reuses a parsed document and skips validation.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { buildSchema, execute, graphql, parse } from "graphql";

const require = createRequire(import.meta.url);
const input = JSON.parse(readFileSync(0, "utf8"));
const schema = buildSchema(input.sdl);
const document = parse(input.query);
const expected = JSON.stringify(input.data);

function asyncRoot(data) {
  const copy = JSON.parse(JSON.stringify(data));
  for (const edge of copy.customers.edges) {
    const orders = edge.node.salesOrders;
    const payments = edge.node.payments;
    edge.node.salesOrders = async () => orders;
    edge.node.payments = async () => payments;
  }
  return copy;
}

function stats(times) {
  const sorted = [...times].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const mean = sorted.reduce((s, t) => s + t, 0) / sorted.length;
  const r = (x) => Math.round(x * 1000) / 1000;
  return {
    iterations: sorted.length,
    median_ms: r(median),
    mean_ms: r(mean),
    min_ms: r(sorted[0]),
    p90_ms: r(sorted[Math.min(sorted.length - 1, Math.floor(0.9 * sorted.length))]),
  };
}

async function timeIt(run) {
  let result;
  for (let i = 0; i < input.warmup; i++) result = await run();
  const times = [];
  const stop = performance.now() + input.budget_ms;
  while (times.length < input.iterations && (times.length < 5 || performance.now() < stop)) {
    const t0 = process.hrtime.bigint();
    result = await run();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  if (result.errors) throw new Error(String(result.errors[0]));
  return { ...stats(times), same_result: JSON.stringify(result.data) === expected };
}

const variants = {};
for (const [name, rootValue] of [
  ["sync", input.data],
  ["async", asyncRoot(input.data)],
]) {
  const variableValues = input.variables;
  variants[name] = await timeIt(() => graphql({ schema, source: input.query, rootValue, variableValues }));
  variants[name].execute_only = await timeIt(async () => execute({ schema, document, rootValue, variableValues }));
}

process.stdout.write(
  JSON.stringify({
    node: process.version,
    graphql: require("graphql/package.json").version,
    variants,
  }),
);
