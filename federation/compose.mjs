// Compose subgraphs into a supergraph with Apollo's composition library.
//
//   node federation/compose.mjs --subgraph NAME=SOURCE [--routing-url NAME=URL]... --out DIR
//
// SOURCE is an SDL file, or a subgraph's GraphQL endpoint (http[s]://…), asked for
// `{ _service { sdl } }`. The routing URL (where the router sends NAME's fetches) defaults to
// SOURCE when it is a URL; a file source needs --routing-url. Writes DIR/NAME.graphql for each
// subgraph and DIR/supergraph.graphql. Every error and hint is printed, with its code and the
// subgraph it comes from; exit status 1 on composition errors, 2 on a usage or fetch problem.
// A subgraph that wants credentials for `_service` (Colonnade with anonymous access off) gets
// the headers in COMPOSE_SDL_HEADERS (JSON object): from the environment, never the argv.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { composeServices } from "@apollo/composition";
import { parse, Source } from "graphql";

const SDL_QUERY = "{ _service { sdl } }";
const FETCH_TIMEOUT_MS = 10_000;

class UsageError extends Error {}

function pairs(values, flag) {
  const out = new Map();
  for (const value of values ?? []) {
    const at = value.indexOf("=");
    if (at < 1 || at === value.length - 1) throw new UsageError(`${flag} wants NAME=VALUE, got "${value}"`);
    const name = value.slice(0, at);
    if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(name)) throw new UsageError(`bad subgraph name "${name}"`);
    if (out.has(name)) throw new UsageError(`${flag} ${name} given twice`);
    out.set(name, value.slice(at + 1));
  }
  return out;
}

const isUrl = (source) => /^https?:\/\//.test(source);

function sdlHeaders() {
  const raw = process.env.COMPOSE_SDL_HEADERS;
  if (!raw) return {};
  try {
    const headers = JSON.parse(raw);
    if (headers && typeof headers === "object" && !Array.isArray(headers)) return headers;
  } catch {}
  throw new UsageError("COMPOSE_SDL_HEADERS must be a JSON object of header names and values");
}

async function fetchSdl(name, url) {
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { ...sdlHeaders(), "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query: SDL_QUERY }),
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
  } catch (error) {
    throw new UsageError(`subgraph ${name}: cannot reach ${url}: ${error.cause?.code ?? error.message}`);
  }
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new UsageError(`subgraph ${name}: ${url} answered ${response.status}, not JSON`);
  }
  const sdl = body?.data?._service?.sdl;
  if (typeof sdl !== "string") {
    const why = body?.errors?.map((e) => e.message).join("; ") || `status ${response.status}`;
    throw new UsageError(`subgraph ${name}: ${url} gave no _service.sdl (${why})`);
  }
  return sdl;
}

async function readSubgraph(name, source, routingUrl) {
  const sdl = isUrl(source) ? await fetchSdl(name, source) : readFile(name, source);
  const url = routingUrl ?? (isUrl(source) ? source : undefined);
  if (!url) throw new UsageError(`subgraph ${name}: a file source needs --routing-url ${name}=URL`);
  let typeDefs;
  try {
    typeDefs = parse(new Source(sdl, name));
  } catch (error) {
    throw new UsageError(`subgraph ${name}: its SDL does not parse: ${error.message}`);
  }
  return { name, url, sdl, typeDefs };
}

function readFile(name, path) {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`subgraph ${name}: cannot read ${path}: ${error.code ?? error.message}`);
  }
}

function where(nodes) {
  const places = (nodes ?? [])
    .map((node) => node?.loc?.source?.name && node.loc.startToken
      ? `${node.loc.source.name}:${node.loc.startToken.line}`
      : undefined)
    .filter(Boolean);
  return places.length ? ` (at ${[...new Set(places)].join(", ")})` : "";
}

async function main() {
  const { values } = parseArgs({
    options: {
      subgraph: { type: "string", multiple: true },
      "routing-url": { type: "string", multiple: true },
      out: { type: "string" },
    },
  });
  const sources = pairs(values.subgraph, "--subgraph");
  const routing = pairs(values["routing-url"], "--routing-url");
  if (sources.size === 0) throw new UsageError("give at least one --subgraph NAME=SOURCE");
  if (!values.out) throw new UsageError("--out DIR is required");
  for (const name of routing.keys()) {
    if (!sources.has(name)) throw new UsageError(`--routing-url ${name}: no such --subgraph`);
  }
  const subgraphs = await Promise.all(
    [...sources].map(([name, source]) => readSubgraph(name, source, routing.get(name))),
  );
  mkdirSync(values.out, { recursive: true });
  for (const { name, sdl } of subgraphs) writeFileSync(join(values.out, `${name}.graphql`), sdl);

  const result = composeServices(subgraphs.map(({ name, url, typeDefs }) => ({ name, url, typeDefs })));
  for (const hint of result.hints ?? []) {
    console.error(`hint [${hint.definition.code}]: ${hint.message}${where(hint.nodes)}`);
  }
  if (result.errors) {
    for (const error of result.errors) {
      const code = error.extensions?.code ?? "COMPOSITION_ERROR";
      console.error(`error [${code}]: ${error.message}${where(error.nodes)}`);
    }
    console.error(`composition failed: ${result.errors.length} error(s); no supergraph written`);
    return 1;
  }
  const path = join(values.out, "supergraph.graphql");
  writeFileSync(path, result.supergraphSdl);
  const names = subgraphs.map((s) => `${s.name} (${s.url})`).join(", ");
  console.error(`composed ${subgraphs.length} subgraph(s): ${names}; ${result.hints.length} hint(s)`);
  console.log(path);
  return 0;
}

main().then(
  (status) => process.exit(status),
  (error) => {
    if (!(error instanceof UsageError)) throw error;
    console.error(`compose: ${error.message}`);
    process.exit(2);
  },
);
