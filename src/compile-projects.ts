// `projects:` in a netform file: compose projects deployed on the host(s) it describes, each read from its
// compose files (src/compose) and added to the file's own networks and containers, as if written there.
// The file's own networks and containers exist first; then each project in the order written, its
// networks, then its containers in start order. A problem any later stage finds in what a project
// brought is reported at the compose file (remap).
import { error, type Diagnostic, appendAll } from './diagnostics/diagnostic.ts';
import type { OriginRedirect } from './diagnostics/origin.ts';
import { Fragment, loadComposeProject, projectFragment, type ComposeSource, type FileReader, type ProjectRequest } from './compose/index.ts';

type Raw = Record<string, unknown>;

export interface ExpandedProjects {
  /** The input value with the projects' networks and containers added (the value itself without projects). */
  readonly value: unknown;
  readonly sources: readonly ComposeSource[];
  readonly diagnostics: readonly Diagnostic[];
  /** A diagnostic of a later stage, pointed at the compose file when it concerns what a project brought. */
  readonly remap: (d: Diagnostic) => Diagnostic;
  /** Where in a compose file the element at a netform path was written, for what a project brought (origins). */
  readonly redirect?: OriginRedirect;
}

/** Networks every Docker host has: a compose file may name them as external networks. */
const PREDEFINED = ['bridge', 'host', 'none'];

export function expandProjects(value: unknown, read: FileReader | undefined): ExpandedProjects {
  const raw = (value ?? {}) as Raw;
  const projects = raw['projects'] as Raw | null | undefined;
  if (!projects || Object.keys(projects).length === 0) return { value, sources: [], diagnostics: [], remap: (d) => d };
  const diagnostics: Diagnostic[] = [];
  const sources: ComposeSource[] = [];
  const own = { networks: (raw['networks'] ?? {}) as Raw, containers: (raw['containers'] ?? {}) as Raw };
  const ctx = {
    networks: new Set([...PREDEFINED, ...Object.keys(own.networks)]),
    containers: new Set(Object.keys(own.containers)),
    missingExternal: 'error' as const,
  };
  const all = new Fragment();
  for (const [name, spec] of Object.entries(projects)) {
    const req = projectRequest(name, spec);
    const reader = read ?? (() => ({ error: 'reading files is not available here' }));
    const loaded = loadComposeProject(req, reader);
    sources.push(...loaded.sources);
    appendAll(diagnostics, loaded.diagnostics);
    if (!loaded.project) {
      if (!loaded.diagnostics.some((d) => d.severity === 'error')) diagnostics.push(error('COMPOSE_FILE', ['projects', name], `project "${name}" could not be loaded`));
      continue;
    }
    const host = (spec as Raw)?.['host'];
    const { fragment, diagnostics: fd } = projectFragment(loaded.project, { ...ctx, ...(typeof host === 'string' ? { host } : {}) });
    appendAll(diagnostics, fd);
    all.append(fragment);
  }
  const networks: Raw = { ...own.networks };
  for (const n of all.networks) networks[n.name] = n.value;
  const containers: Raw = { ...own.containers };
  for (const c of all.containers) containers[c.name] = c.value;
  return { value: { ...raw, networks, containers }, sources, diagnostics, remap: composeRemap(all), redirect: composeRedirect(all) };
}

function projectRequest(name: string, spec: unknown): ProjectRequest {
  const list = (v: unknown): string[] => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.map(String) : []);
  if (typeof spec === 'string' || Array.isArray(spec)) return { name, files: list(spec) };
  const s = (spec ?? {}) as Raw;
  const env = s['environment'] as Raw | undefined;
  return {
    name,
    files: list(s['files']),
    ...(s['env_file'] !== undefined ? { envFiles: list(s['env_file']) } : {}),
    ...(env ? { environment: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])) } : {}),
    ...(s['profiles'] !== undefined ? { profiles: list(s['profiles']) } : {}),
  };
}

/**
 * Points a diagnostic about a network or container that came from a compose project (a path
 * networks.NAME... or containers.NAME... in the netform input, no file of its own) at the compose file.
 */
export function composeRemap(fragment: Fragment): (d: Diagnostic) => Diagnostic {
  const generated = { networks: new Set(fragment.networks.map((n) => n.name)), containers: new Set(fragment.containers.map((c) => c.name)) };
  return (d) => remap(d, fragment, generated);
}

function remap(d: Diagnostic, fragment: Fragment, generated: { networks: ReadonlySet<string>; containers: ReadonlySet<string> }): Diagnostic {
  if (d.file !== undefined || d.range !== undefined) return d;
  const [section, name] = d.path;
  const ours = (section === 'networks' && generated.networks.has(String(name))) || (section === 'containers' && generated.containers.has(String(name)));
  if (!ours) return d;
  const found = fragment.originOf(d.path);
  if (!found) return d;
  const { origin, depth } = found;
  const range = d.atKey && depth === d.path.length && origin.keyRange ? origin.keyRange : origin.range;
  return { ...d, file: origin.file, range, path: [...origin.path, ...d.path.slice(depth)], message: `${d.message} (netform: ${pathText(d.path)})` };
}

/** The compose position of the element at a netform path, for a network or container a project brought. */
function composeRedirect(fragment: Fragment): OriginRedirect {
  const generated = { networks: new Set(fragment.networks.map((n) => n.name)), containers: new Set(fragment.containers.map((c) => c.name)) };
  return (path) => {
    const [section, name] = path;
    const ours = (section === 'networks' && generated.networks.has(String(name))) || (section === 'containers' && generated.containers.has(String(name)));
    const found = ours ? fragment.originOf(path) : undefined;
    return found && { file: found.origin.file, path: [...found.origin.path, ...path.slice(found.depth)], range: found.origin.keyRange && found.origin.range[1] - found.origin.range[0] === 0 ? found.origin.keyRange : found.origin.range };
  };
}

const pathText = (p: readonly (string | number)[]) => p.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('').slice(1);
