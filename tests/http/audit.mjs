// GraphQL-over-HTTP server audit (graphql-http's own suite) against a running server.
// Usage: node tests/http/audit.mjs http://127.0.0.1:PORT/graphql
// Prints every failing audit and the score per requirement level; exits 1 unless every
// MUST and SHOULD audit passes. graphql-http is resolved from the folder in GRAPHQL_HTTP_PREFIX
// (where scripts/ci/graphql-http-audit.sh installed it), not from a global install.
import { createRequire } from 'node:module';
import { join } from 'node:path';

const prefix = process.env.GRAPHQL_HTTP_PREFIX ?? '.ci-cache/graphql-http';
const { auditServer } = createRequire(join(prefix, 'package.json'))('graphql-http');

const url = process.argv[2];
if (!url) {
  console.error('usage: audit.mjs <graphql url>');
  process.exit(2);
}
const results = await auditServer({ url });
const score = {};
for (const r of results) {
  const level = r.name.split(' ')[0];
  score[level] ??= { ok: 0, total: 0 };
  score[level].total += 1;
  if (r.status === 'ok') {
    score[level].ok += 1;
  } else {
    const reason = r.reason ?? '';
    console.log(`${r.status.toUpperCase()} ${r.name}: ${reason}`.slice(0, 400));
  }
}
for (const [level, s] of Object.entries(score)) {
  console.log(`graphql-http audit ${level} ${s.ok}/${s.total}`);
}
const pass = ['MUST', 'SHOULD'].every((l) => score[l] && score[l].ok === score[l].total);
process.exit(pass ? 0 : 1);
