// Interpolation of one compose file, before it is merged with the others (compose-go loader.go
// loadYamlFile -> interpolation.Interpolate): every string value (not the keys) goes through template.ts,
// and values at some paths are then cast the way compose-go's interpolateTypeCastMapping does
// (loader/interpolate.go), so `replicas: "${N:-2}"` is the number 2 and `internal: "yes"` a boolean.
import { error, warning, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { substitute, type Lookup } from './template.ts';
import type { CNode, CScalar, Scalar } from './tree.ts';
import { at } from './where.ts';

type Cast = (s: string) => { value: Scalar; warn?: string } | { error: string };

const toInt: Cast = (s) => (/^[+-]?\d+$/.test(s) && Number.isSafeInteger(Number(s)) ? { value: Number(s) } : { error: `"${s}" is not an integer` });
const toFloat: Cast = (s) => (s.trim() !== '' && Number.isFinite(Number(s)) ? { value: Number(s) } : { error: `"${s}" is not a number` });

// toBoolean: YAML 1.1 spellings still work here, with a warning.
const toBoolean: Cast = (s) => {
  const l = s.toLowerCase();
  if (l === 'true') return { value: true };
  if (l === 'false') return { value: false };
  if (['y', 'yes', 'on'].includes(l)) return { value: true, warn: `"${s}" for a boolean is not supported by YAML 1.2; write true` };
  if (['n', 'no', 'off'].includes(l)) return { value: false, warn: `"${s}" for a boolean is not supported by YAML 1.2; write false` };
  return { error: `invalid boolean: ${s}` };
};

// `*` is any key, `[]` any list item (compose-go tree.PathMatchAll / PathMatchList).
const S = ['services', '*'];
const CASTS: readonly [readonly string[], Cast][] = [
  [[...S, 'cpu_count'], toInt],
  [[...S, 'cpu_percent'], toFloat],
  [[...S, 'cpu_period'], toInt],
  [[...S, 'cpu_quota'], toInt],
  [[...S, 'cpu_rt_period'], toInt],
  [[...S, 'cpu_rt_runtime'], toInt],
  [[...S, 'cpus'], toFloat],
  [[...S, 'cpu_shares'], toInt],
  [[...S, 'init'], toBoolean],
  [[...S, 'depends_on', '*', 'required'], toBoolean],
  [[...S, 'depends_on', '*', 'restart'], toBoolean],
  [[...S, 'deploy', 'replicas'], toInt],
  [[...S, 'deploy', 'update_config', 'parallelism'], toInt],
  [[...S, 'deploy', 'update_config', 'max_failure_ratio'], toFloat],
  [[...S, 'deploy', 'rollback_config', 'parallelism'], toInt],
  [[...S, 'deploy', 'rollback_config', 'max_failure_ratio'], toFloat],
  [[...S, 'deploy', 'restart_policy', 'max_attempts'], toInt],
  [[...S, 'deploy', 'placement', 'max_replicas_per_node'], toInt],
  [[...S, 'healthcheck', 'retries'], toInt],
  [[...S, 'healthcheck', 'disable'], toBoolean],
  [[...S, 'oom_kill_disable'], toBoolean],
  [[...S, 'oom_score_adj'], toInt],
  [[...S, 'pids_limit'], toInt],
  [[...S, 'ports', '[]', 'target'], toInt],
  [[...S, 'privileged'], toBoolean],
  [[...S, 'read_only'], toBoolean],
  [[...S, 'scale'], toInt],
  [[...S, 'stdin_open'], toBoolean],
  [[...S, 'tty'], toBoolean],
  [[...S, 'ulimits', '*'], toInt],
  [[...S, 'ulimits', '*', 'hard'], toInt],
  [[...S, 'ulimits', '*', 'soft'], toInt],
  [[...S, 'volumes', '[]', 'read_only'], toBoolean],
  [[...S, 'volumes', '[]', 'volume', 'nocopy'], toBoolean],
  [['networks', '*', 'external'], toBoolean],
  [['networks', '*', 'internal'], toBoolean],
  [['networks', '*', 'attachable'], toBoolean],
  [['networks', '*', 'enable_ipv4'], toBoolean],
  [['networks', '*', 'enable_ipv6'], toBoolean],
  [['volumes', '*', 'external'], toBoolean],
  [['secrets', '*', 'external'], toBoolean],
  [['configs', '*', 'external'], toBoolean],
];

function castFor(path: readonly string[]): Cast | undefined {
  for (const [pattern, cast] of CASTS) {
    if (pattern.length === path.length && pattern.every((p, i) => p === '*' || p === path[i])) return cast;
  }
  return undefined;
}

/** The file's tree with every value interpolated; diagnostics for bad templates, unset variables, bad casts. */
export function interpolateTree(node: CNode, lookup: Lookup, diagnostics: Diagnostic[]): CNode {
  return walk(node, [], lookup, diagnostics);
}

function walk(node: CNode, pattern: readonly string[], lookup: Lookup, out: Diagnostic[]): CNode {
  if (node.kind === 'map') {
    const entries = new Map<string, CNode>();
    for (const [k, v] of node.entries) entries.set(k, walk(v, [...pattern, k], lookup, out));
    return { ...node, entries };
  }
  if (node.kind === 'seq') return { ...node, items: node.items.map((v) => walk(v, [...pattern, '[]'], lookup, out)) };
  if (typeof node.value !== 'string') return node;
  const r = substitute(node.value, lookup);
  if (!r.ok) {
    out.push(error('COMPOSE_INTERPOLATION', node.origin.path, r.error, at(node)));
    return node;
  }
  for (const name of new Set(r.unset)) out.push(warning('COMPOSE_VARIABLE', node.origin.path, `the "${name}" variable is not set; Compose uses a blank string`, at(node)));
  const cast = castFor(pattern);
  if (!cast) return r.value === node.value ? node : ({ ...node, value: r.value } satisfies CScalar);
  const c = cast(r.value);
  if ('error' in c) {
    out.push(error('COMPOSE_INTERPOLATION', node.origin.path, `failed to cast to expected type: ${c.error}`, at(node)));
    return { ...node, value: r.value };
  }
  if (c.warn) out.push(warning('COMPOSE_INTERPOLATION', node.origin.path, c.warn, at(node)));
  return { ...node, value: c.value };
}
