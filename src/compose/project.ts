// A loaded model as the project `docker compose up` deploys: the implicit `default` network and the
// implicit dependencies added (compose-go loader/normalize.go), networks named (`<project>_<key>`, or
// `name:`, or the key for an external one: setNameFromKey), services outside the active profiles left out
// (types/project.go WithProfiles), the model's consistency checked (loader/validate.go checkConsistency,
// graph/cycle.go) and networks no enabled service uses dropped (WithoutUnnecessaryResources, which
// docker compose's postProcessProject applies).
import { error, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { child, text, type CMap, type CNode, type Origin } from './tree.ts';
import type { ComposeNetwork, ComposeProject, ComposeService } from './types.ts';
import { at } from './where.ts';

const emptyMap = (origin: Origin): CMap => ({ kind: 'map', entries: new Map(), origin });
const sorted = <T>(m: ReadonlyMap<string, T>) => new Map([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** Services that use networks: not network_mode, not a provider. */
export function usesNetworks(svc: CMap): boolean {
  return !svc.entries.has('network_mode') && !svc.entries.has('provider');
}

/** The services' network keys (the implicit `default` when a service names none). */
export function serviceNetworkKeys(svc: CMap): string[] {
  if (!usesNetworks(svc)) return [];
  const nets = child(svc, 'networks');
  return nets?.kind === 'map' && nets.entries.size > 0 ? [...nets.entries.keys()] : ['default'];
}

/** depends_on after normalize.go: the declared ones, and those implied by links and service: references. */
export function dependencies(svc: CMap): Map<string, { required: boolean; origin: Origin }> {
  const out = new Map<string, { required: boolean; origin: Origin }>();
  const deps = child(svc, 'depends_on');
  if (deps?.kind === 'map') {
    for (const [k, v] of deps.entries) out.set(k, { required: child(v, 'required')?.kind === 'scalar' ? (child(v, 'required') as { value: unknown }).value !== false : true, origin: v.origin });
  }
  const links = child(svc, 'links');
  if (links?.kind === 'seq') {
    for (const l of links.items) {
      const parts = (text(l) ?? '').split(':');
      const name = parts.length === 2 ? parts[0]! : (text(l) ?? '');
      if (!out.has(name)) out.set(name, { required: true, origin: l.origin });
    }
  }
  for (const ns of ['network_mode', 'ipc', 'pid', 'uts', 'cgroup']) {
    const v = child(svc, ns);
    const ref = text(v);
    if (v && ref?.startsWith('service:') && !out.has(ref.slice(8))) out.set(ref.slice(8), { required: true, origin: v.origin });
  }
  const from = child(svc, 'volumes_from');
  if (from?.kind === 'seq') {
    for (const f of from.items) {
      const ref = text(f) ?? '';
      if (!ref.startsWith('container:') && !out.has(ref.split(':')[0]!)) out.set(ref.split(':')[0]!, { required: true, origin: f.origin });
    }
  }
  return out;
}

export function buildProject(model: CNode, name: string, nameOrigin: Origin, env: ReadonlyMap<string, string>, profiles: readonly string[] | undefined, out: Diagnostic[]): ComposeProject {
  const all = new Map<string, ComposeService>();
  const servicesNode = child(model, 'services');
  if (servicesNode?.kind === 'map') {
    for (const [k, v] of servicesNode.entries) all.set(k, { name: k, node: v.kind === 'map' ? v : emptyMap(v.origin) });
  }
  const active = profiles ?? (env.get('COMPOSE_PROFILES') ?? '').split(',').map((s) => s.trim());
  const hasProfile = (svc: CMap) => {
    const p = child(svc, 'profiles');
    const own = p?.kind === 'seq' ? p.items.map((i) => text(i) ?? '') : [];
    return own.length === 0 || active.some((a) => a === '*' || own.includes(a));
  };
  const services = sorted(new Map([...all].filter(([, s]) => hasProfile(s.node))));
  const declared = declaredNetworks(model, name);
  checkConsistency(services, all, declared, out);
  const used = new Set([...services.values()].flatMap((s) => serviceNetworkKeys(s.node)));
  const networks = new Map<string, ComposeNetwork>();
  for (const key of used) {
    const n = declared.get(key) ?? (key === 'default' ? defaultNetwork(model, name) : undefined);
    if (n) networks.set(key, n);
  }
  return { name, nameOrigin, services, networks: sorted(networks), model };
}

function declaredNetworks(model: CNode, project: string): Map<string, ComposeNetwork> {
  const out = new Map<string, ComposeNetwork>();
  const nets = child(model, 'networks');
  if (nets?.kind !== 'map') return out;
  for (const [key, v] of nets.entries) {
    const node = v.kind === 'map' ? v : emptyMap(v.origin);
    const external = child(node, 'external');
    const isExternal = external?.kind === 'scalar' && external.value === true;
    const given = text(child(node, 'name'));
    out.set(key, { key, name: given ?? (isExternal ? key : `${project}_${key}`), external: isExternal, node });
  }
  return out;
}

/** The implicit `default` network, made when a service uses it and the file does not declare it. */
function defaultNetwork(model: CNode, project: string): ComposeNetwork {
  const services = child(model, 'services');
  const origin: Origin = services ? { ...services.origin, path: ['networks', 'default'] } : model.origin;
  return { key: 'default', name: `${project}_default`, external: false, node: emptyMap(origin) };
}

function checkConsistency(services: ReadonlyMap<string, ComposeService>, all: ReadonlyMap<string, ComposeService>, networks: ReadonlyMap<string, ComposeNetwork>, out: Diagnostic[]): void {
  for (const { name, node } of services.values()) {
    const mode = child(node, 'network_mode');
    const nets = child(node, 'networks');
    if (mode && nets) out.push(error('COMPOSE_SCHEMA', nets.origin.path, `service ${name} declares mutually exclusive \`network_mode\` and \`networks\``, at(nets, { key: true })));
    if (nets?.kind === 'map') {
      for (const [k, v] of nets.entries) {
        if (!networks.has(k) && k !== 'default') out.push(error('COMPOSE_REFERENCE', v.origin.path, `service "${name}" refers to undefined network ${k}`, at(v, { key: true })));
      }
    }
    const ref = text(mode);
    if (mode && ref?.startsWith('service:') && !services.has(ref.slice(8))) {
      out.push(error('COMPOSE_REFERENCE', mode.origin.path, `service "${ref.slice(8)}" not found for network_mode '${ref}'`, at(mode)));
    }
    for (const [dep, d] of dependencies(node)) {
      if (services.has(dep)) continue;
      if (all.has(dep) && !d.required) continue;
      const why = all.has(dep) ? `service ${dep} is required by ${name} but is disabled by its profiles` : `service "${name}" depends on undefined service "${dep}"`;
      out.push(error('COMPOSE_REFERENCE', d.origin.path, why, { file: d.origin.file, range: d.origin.keyRange ?? d.origin.range }));
    }
    checkScale(name, node, out);
    if (!child(node, 'image') && !child(node, 'build') && !child(node, 'provider')) {
      out.push(error('COMPOSE_SCHEMA', node.origin.path, `service "${name}" has neither an image nor a build context specified`, at(node, { key: true })));
    }
  }
  checkCycles(services, out);
}

function checkScale(name: string, node: CMap, out: Diagnostic[]): void {
  const scale = child(node, 'scale');
  const replicas = child(child(node, 'deploy'), 'replicas');
  const num = (n: CNode | undefined) => (n?.kind === 'scalar' && typeof n.value === 'number' ? n.value : undefined);
  if (num(scale) !== undefined && num(replicas) !== undefined && num(scale) !== num(replicas)) {
    out.push(error('COMPOSE_SCHEMA', scale!.origin.path, `services.${name}: can't set distinct values on 'scale' and 'deploy.replicas'`, at(scale!)));
  }
  for (const n of [scale, replicas]) if (num(n) !== undefined && num(n)! < 0) out.push(error('COMPOSE_SCHEMA', n!.origin.path, 'must be greater than or equal to 0', at(n!)));
  const count = num(scale) ?? num(replicas) ?? 1;
  const cname = child(node, 'container_name');
  if (count > 1 && cname) {
    out.push(error('COMPOSE_SCHEMA', cname.origin.path, `services.${name}: can't set container_name and ${scale ? 'scale' : 'deploy.replicas'} as container name must be unique`, at(cname)));
  }
}

/** graph.CheckCycle: services in name order, their dependencies in name order. */
function checkCycles(services: ReadonlyMap<string, ComposeService>, out: Diagnostic[]): void {
  const deps = new Map([...services].map(([k, s]) => [k, [...dependencies(s.node).keys()].filter((d) => services.has(d)).sort()]));
  const search = (path: string[]): string | undefined => {
    for (const next of deps.get(path[path.length - 1]!) ?? []) {
      const i = path.indexOf(next);
      if (i >= 0) return `${path.slice(i).join(' -> ')} -> ${next}`;
      const found = search([...path, next]);
      if (found) return found;
    }
    return undefined;
  };
  for (const name of deps.keys()) {
    const cycle = search([name]);
    if (cycle) {
      const svc = services.get(name)!.node;
      out.push(error('COMPOSE_REFERENCE', child(svc, 'depends_on')?.origin.path ?? svc.origin.path, `dependency cycle detected: ${cycle}`, at(child(svc, 'depends_on') ?? svc, { key: true })));
      return;
    }
  }
}

/**
 * The order `docker compose up` starts services in: dependencies first. Compose starts independent
 * services concurrently (dependencies.go InDependencyOrder), so which of them goes first is a race; the
 * plan it builds (reconcile.go visitInDependencyOrder) takes, at each step, the first service in name
 * order whose dependencies are done, and netform uses that order.
 */
export function startOrder(project: ComposeProject): string[] {
  const names = [...project.services.keys()];
  const deps = new Map(names.map((n) => [n, [...dependencies(project.services.get(n)!.node).keys()].filter((d) => project.services.has(d))]));
  const done = new Set<string>();
  const order: string[] = [];
  for (;;) {
    const next = names.find((n) => !done.has(n) && deps.get(n)!.every((d) => done.has(d)));
    if (next === undefined) break;
    done.add(next);
    order.push(next);
  }
  // A cycle (already reported) leaves services out; they go last, in name order.
  for (const n of names) if (!done.has(n)) order.push(n);
  return order;
}
