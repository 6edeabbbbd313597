// Several compose files as one, the way `docker compose -f a.yaml -f b.yaml` merges them (compose-go
// override/merge.go MergeYaml): mappings merge key by key, lists are appended, a later scalar replaces an
// earlier one and a null keeps it; some fields have rules of their own (mergeSpecials), and lists whose
// entries are keyed are then made unique, the later entry taking the earlier one's place
// (override/uncity.go EnforceUnicity). `!reset` in a later file removes the earlier value, `!override`
// replaces it whole (loader/reset.go).
import { error, type Diagnostic } from '../diagnostics/diagnostic.ts';
import type { CMap, CNode, CScalar, CSeq, Origin } from './tree.ts';
import { at } from './where.ts';

type Pattern = readonly string[];
type Merger = (base: CNode, over: CNode, path: readonly string[], out: Diagnostic[]) => CNode;

const matches = (path: readonly string[], pattern: Pattern) => path.length === pattern.length && pattern.every((p, i) => p === '*' || p === path[i]);

const scalar = (value: string | number | boolean | null, origin: Origin): CScalar => ({ kind: 'scalar', value, origin });

/** convertIntoSequence: a mapping becomes sorted "key=value" entries (a null value: the key alone). */
function intoSequence(n: CNode): CNode[] {
  if (n.kind === 'seq') return [...n.items];
  if (n.kind === 'scalar') return n.value === null ? [] : [n];
  const out: CScalar[] = [];
  for (const [k, v] of n.entries) {
    if (v.kind === 'scalar' && v.value === null) out.push(scalar(k, v.origin));
    else if (v.kind === 'seq') for (const x of v.items) out.push(scalar(`${k}=${goText(x)}`, x.origin));
    else out.push(scalar(`${k}=${goText(v)}`, v.origin));
  }
  return out.sort((a, b) => (String(a.value) < String(b.value) ? -1 : String(a.value) > String(b.value) ? 1 : 0));
}

/** fmt.Sprint of a scalar as Compose prints it into "key=value". */
const goText = (n: CNode): string => (n.kind === 'scalar' ? (n.value === null ? '<nil>' : String(n.value)) : JSON.stringify(n));

/** convertIntoMapping: a list of names becomes a mapping of each name to `defaults` (or null). */
function intoMapping(n: CNode, defaults?: (origin: Origin) => CNode): CNode {
  if (n.kind !== 'seq') return n;
  const entries = new Map<string, CNode>();
  for (const item of n.items) entries.set(goText(item), defaults ? defaults(item.origin) : scalar(null, item.origin));
  return { kind: 'map', entries, origin: n.origin };
}

const toSequence: Merger = (base, over) => ({ kind: 'seq', items: [...intoSequence(base), ...intoSequence(over)], origin: base.origin });

const dependsOnDefault = (origin: Origin): CNode => ({
  kind: 'map',
  origin,
  entries: new Map<string, CNode>([
    ['condition', scalar('service_started', origin)],
    ['required', scalar(true, origin)],
  ]),
});

const SPECIALS: readonly [Pattern, Merger][] = [
  [['networks', '*', 'ipam', 'config'], mergeIpamConfig],
  [['networks', '*', 'labels'], toSequence],
  [['volumes', '*', 'labels'], toSequence],
  [['services', '*', 'annotations'], toSequence],
  [['services', '*', 'build'], (b, o, p, out) => mergeMappings(buildMap(b), buildMap(o), p, out)],
  [['services', '*', 'build', 'args'], toSequence],
  [['services', '*', 'build', 'additional_contexts'], toSequence],
  [['services', '*', 'build', 'extra_hosts'], mergeExtraHosts],
  [['services', '*', 'build', 'labels'], toSequence],
  [['services', '*', 'command'], (_b, o) => o],
  [['services', '*', 'depends_on'], (b, o, p, out) => mergeMappings(intoMapping(b, dependsOnDefault), intoMapping(o, dependsOnDefault), p, out)],
  [['services', '*', 'deploy', 'labels'], toSequence],
  [['services', '*', 'dns'], toSequence],
  [['services', '*', 'dns_opt'], toSequence],
  [['services', '*', 'dns_search'], toSequence],
  [['services', '*', 'entrypoint'], (_b, o) => o],
  [['services', '*', 'env_file'], toSequence],
  [['services', '*', 'label_file'], toSequence],
  [['services', '*', 'environment'], toSequence],
  [['services', '*', 'extra_hosts'], mergeExtraHosts],
  [['services', '*', 'healthcheck', 'test'], (_b, o) => o],
  [['services', '*', 'labels'], toSequence],
  [['services', '*', 'volumes', '*', 'volume', 'labels'], toSequence],
  [['services', '*', 'logging'], mergeLogging],
  [['services', '*', 'models'], (b, o, p, out) => mergeMappings(intoMapping(b), intoMapping(o), p, out)],
  [['services', '*', 'networks'], (b, o, p, out) => mergeMappings(intoMapping(b), intoMapping(o), p, out)],
  [['services', '*', 'sysctls'], toSequence],
  [['services', '*', 'tmpfs'], toSequence],
  // mergeUlimit returns the later value in every case.
  [['services', '*', 'ulimits', '*'], (_b, o) => o],
];

/** MergeYaml: `over` (a later file) merged onto `base`. */
export function mergeNodes(base: CNode, over: CNode, path: readonly string[], out: Diagnostic[]): CNode {
  for (const [pattern, merger] of SPECIALS) if (matches(path, pattern)) return merger(base, over, path, out);
  if (over.kind === 'scalar' && over.value === null) return base;
  if (base.kind === 'map') {
    if (over.kind !== 'map') return cannotOverride(base, over, path, out);
    return mergeMappings(base, over, path, out);
  }
  if (base.kind === 'seq') {
    if (over.kind !== 'seq') return cannotOverride(base, over, path, out);
    return { kind: 'seq', items: [...base.items, ...over.items], origin: base.origin };
  }
  return over;
}

function cannotOverride(base: CNode, over: CNode, path: readonly string[], out: Diagnostic[]): CNode {
  out.push(error('COMPOSE_MERGE', over.origin.path, `cannot override ${path.join('.')}: it is a ${base.kind === 'map' ? 'mapping' : 'list'} in ${base.origin.file}`, at(over)));
  return base;
}

function mergeMappings(base: CNode, over: CNode, path: readonly string[], out: Diagnostic[]): CNode {
  if (base.kind !== 'map' || over.kind !== 'map') return over.kind === 'scalar' && over.value === null ? base : over;
  const entries = new Map(base.entries);
  for (const [k, v] of over.entries) {
    const e = entries.get(k);
    entries.set(k, e === undefined ? v : mergeNodes(e, v, [...path, k], out));
  }
  return { kind: 'map', entries, origin: base.origin };
}

function buildMap(n: CNode): CNode {
  if (n.kind !== 'scalar' || typeof n.value !== 'string') return n;
  return { kind: 'map', entries: new Map([['context', n]]), origin: n.origin };
}

// Logging options merge only when both files name the same driver, or one names none.
function mergeLogging(base: CNode, over: CNode, path: readonly string[], out: Diagnostic[]): CNode {
  const driver = (n: CNode) => (n.kind === 'map' ? n.entries.get('driver') : undefined);
  const a = driver(base);
  const b = driver(over);
  if (!a || !b || (a.kind === 'scalar' && b.kind === 'scalar' && a.value === b.value)) return mergeMappings(base, over, path, out);
  return over;
}

// mergeExtraHosts: the later file's entries that the earlier one already has are dropped.
function mergeExtraHosts(base: CNode, over: CNode): CNode {
  const right = intoSequence(base);
  const seen = new Set(right.map(goText));
  const left = intoSequence(over).filter((n) => !seen.has(goText(n)));
  return { kind: 'seq', items: [...right, ...left], origin: base.origin };
}

/** mergeIPAMConfig: pools are matched by subnet; a later pool with a known subnet updates it. */
function mergeIpamConfig(base: CNode, over: CNode, path: readonly string[], out: Diagnostic[]): CNode {
  if (base.kind !== 'seq' || over.kind !== 'seq') return cannotOverride(base, over, path, out);
  const subnet = (n: CNode) => (n.kind === 'map' ? goText(n.entries.get('subnet') ?? scalar(null, n.origin)) : '');
  const configs: CNode[] = [];
  for (const right of base.items) {
    for (const left of over.items) {
      if (subnet(left) !== subnet(right) && !configs.some((c) => subnet(c) === subnet(left))) {
        configs.push(left);
        continue;
      }
      const merged = mergeMappings(right, left, path, out);
      const i = configs.findIndex((c) => subnet(c) === subnet(merged));
      if (i >= 0) configs[i] = merged;
      else configs.push(merged);
    }
  }
  return { kind: 'seq', items: configs, origin: base.origin };
}

// ------------------------------------------------------------------------------------------ unicity

type Indexer = (n: CNode) => string;

const keyValue: Indexer = (n) => {
  const s = goText(n);
  const eq = s.indexOf('=');
  return eq >= 0 ? s.slice(0, eq) : s;
};

// portIndexer: a canonical entry by "host_ip:published:target/protocol", a short one by its text.
const portKey: Indexer = (n) => {
  if (n.kind !== 'map') return goText(n);
  const f = (k: string, d: string) => {
    const v = n.entries.get(k);
    return v && v.kind === 'scalar' && v.value !== null ? String(v.value) : d;
  };
  return `${f('host_ip', '0.0.0.0')}:${f('published', '')}:${f('target', '')}/${f('protocol', 'tcp')}`;
};

const UNIQUE: readonly [Pattern, Indexer][] = [
  [['networks', '*', 'labels'], keyValue],
  [['networks', '*', 'ipam', 'options'], keyValue],
  [['services', '*', 'dns'], keyValue],
  [['services', '*', 'dns_opt'], keyValue],
  [['services', '*', 'dns_search'], keyValue],
  [['services', '*', 'expose'], goText],
  [['services', '*', 'links'], keyValue],
  [['services', '*', 'networks', '*', 'aliases'], keyValue],
  [['services', '*', 'networks', '*', 'link_local_ips'], keyValue],
  [['services', '*', 'ports'], portKey],
  [['services', '*', 'profiles'], keyValue],
];

/** EnforceUnicity: in keyed lists, a repeated entry replaces the first one in its place. */
export function enforceUnicity(n: CNode, path: readonly string[] = []): CNode {
  if (n.kind === 'map') {
    const entries = new Map<string, CNode>();
    for (const [k, v] of n.entries) entries.set(k, enforceUnicity(v, [...path, k]));
    return { ...n, entries } satisfies CMap;
  }
  if (n.kind !== 'seq') return n;
  const indexer = UNIQUE.find(([p]) => matches(path, p))?.[1];
  if (!indexer) return n;
  const items: CNode[] = [];
  const index = new Map<string, number>();
  for (const item of n.items) {
    const key = indexer(item);
    const j = index.get(key);
    if (j !== undefined) items[j] = item;
    else {
      index.set(key, items.length);
      items.push(item);
    }
  }
  return { ...n, items } satisfies CSeq;
}
