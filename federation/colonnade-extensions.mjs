// A Hive Gateway plugin: Colonnade's response-level `extensions.colonnade` (stale and fallback
// labels, colonnade/degradation.py) survives the router.
//
// Why it is needed: Hive Gateway keeps each subgraph error's `extensions` (it only adds
// `code` when there is none, and `serviceName`), but drops the `extensions` of a subgraph's
// response. And the labels name *subgraph* paths, which are not the client's: the router
// merges root fields of one tick into one request (`_v0_customers`) and asks for entities by
// `_entities(representations:)`. So each label is moved to the client's path:
//   - a root field (`field…`, or `_vN_field…` when batched): the client's response key for
//     that root field (its alias; see rootKey);
//   - `_entities, i, …`: the path of every client object that representation i came from
//     (the router tells us each object's key and path as it plans the entity fetches).
// A label whose place cannot be found keeps its subgraph path and says `subgraph`, rather
// than being dropped or pinned to the wrong object. Other response extensions of subgraphs are
// not forwarded (they are the subgraph's business, not the client's).
import { Kind } from "graphql";

const NAMESPACE = "colonnade";
const ENTITIES = /^(_v\d+_)?_entities$/;
const BATCH_PREFIX = /^_v\d+_/;

function pathArray(path) {
  const out = [];
  for (let p = path; p; p = p.prev) out.unshift(p.key);
  return out;
}

function stable(value) {
  if (Array.isArray(value)) return `[${value.map(stable).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stable(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function rootResponseKeys(document, operationName) {
  const byField = new Map();
  const operations = (document?.definitions ?? []).filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operations.find((o) => !operationName || o.name?.value === operationName) ?? operations[0];
  const fragments = new Map(
    (document?.definitions ?? []).filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  const visit = (selectionSet, seen) => {
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        const keys = byField.get(selection.name.value) ?? [];
        const key = selection.alias?.value ?? selection.name.value;
        if (!keys.includes(key)) keys.push(key);
        byField.set(selection.name.value, keys);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(selection.selectionSet, seen);
      } else if (selection.kind === Kind.FRAGMENT_SPREAD && !seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        visit(fragments.get(selection.name.value)?.selectionSet, seen);
      }
    }
  };
  visit(operation?.selectionSet, new Set());
  return byField;
}

function rootAliases(document) {
  const operation = document?.definitions?.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  return (operation?.selectionSet?.selections ?? [])
    .filter((s) => s.kind === Kind.FIELD)
    .map((s) => s.alias?.value ?? s.name.value);
}

export function useColonnadeExtensions() {
  const requests = new WeakMap();
  const state = (context) => {
    let s = requests.get(context);
    if (!s) {
      s = { objects: new Map(), answers: [] };
      requests.set(context, s);
    }
    return s;
  };

  function place(s, answer, entry, rootKeys) {
    const [head, ...rest] = entry.path ?? [];
    if (typeof head !== "string") return [{ ...entry, subgraph: answer.subgraph }];
    const entities = ENTITIES.exec(head);
    if (entities) {
      const [index, ...below] = rest;
      const variable = `${entities[1] ?? ""}representations`;
      const representation = answer.variables?.[variable]?.[index];
      const paths = representation && s.objects.get(stable(representation));
      if (!paths?.length) return [{ ...entry, subgraph: answer.subgraph }];
      return paths.map((path) => ({ ...entry, path: [...path, ...below] }));
    }
    const key = rootKey(answer, head, rootKeys);
    if (key === undefined) {
      return [{ ...entry, path: [head.replace(BATCH_PREFIX, ""), ...rest], subgraph: answer.subgraph }];
    }
    return [{ ...entry, path: [key, ...rest] }];
  }

  // The client's response key for a subgraph root field. Unbatched, the request is the
  // delegation of one client field (its path says which). Batched (`_v<i>_<field>`), the
  // delegations of one tick are merged in the order the client's root fields ran: the k-th
  // `_v<i>_<field>` of the merged request is the k-th `<field>` of the client's operation.
  function rootKey(answer, head, rootKeys) {
    const batched = /^_v(\d+)_(.+)$/.exec(head);
    const field = batched ? batched[2] : head;
    const keys = rootKeys.get(field) ?? [];
    if (!batched) {
      if (answer.rootKey !== undefined && keys.includes(answer.rootKey)) return answer.rootKey;
      return keys.length === 1 ? keys[0] : undefined;
    }
    const merged = answer.rootFields
      .map((alias) => /^_v(\d+)_(.+)$/.exec(alias))
      .filter((m) => m && m[2] === field)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    const rank = merged.indexOf(Number(batched[1]));
    return rank >= 0 && merged.length === keys.length ? keys[rank] : undefined;
  }

  return {
    onDelegationStageExecute({ context, info, key }) {
      if (!context || !info?.path || key == null || typeof key !== "object") return;
      const s = state(context);
      const id = stable(key);
      const paths = s.objects.get(id) ?? [];
      paths.push(pathArray(info.path));
      s.objects.set(id, paths);
    },
    onSubgraphExecute({ subgraphName, executionRequest }) {
      const context = executionRequest.context;
      if (!context) return;
      return ({ result }) => {
        const notice = result?.extensions?.[NAMESPACE];
        if (notice && typeof notice === "object") {
          state(context).answers.push({
            subgraph: subgraphName,
            variables: executionRequest.variables,
            rootKey: executionRequest.info?.path ? pathArray(executionRequest.info.path)[0] : undefined,
            rootFields: rootAliases(executionRequest.document),
            notice,
          });
        }
      };
    },
    onExecute({ args }) {
      const context = args.contextValue;
      return {
        onExecuteDone({ result, setResult }) {
          const s = context && requests.get(context);
          if (!s?.answers.length || Symbol.asyncIterator in Object(result)) return;
          const rootKeys = rootResponseKeys(args.document, args.operationName);
          const merged = {};
          for (const answer of s.answers) {
            for (const [name, value] of Object.entries(answer.notice)) {
              if (Array.isArray(value)) {
                const placed = value.flatMap((entry) =>
                  entry && typeof entry === "object" ? place(s, answer, entry, rootKeys) : [entry],
                );
                merged[name] = [...(merged[name] ?? []), ...placed];
              } else {
                merged[name] = value;
              }
            }
          }
          setResult({ ...result, extensions: { ...result.extensions, [NAMESPACE]: merged } });
        },
      };
    },
  };
}
