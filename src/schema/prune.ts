// Every schema error is reported, and the rest of the file is still checked: what the schema refused is
// taken out of the value (a whole network or container, one daemon or host key), and the semantic stage
// runs on what is left. The stages after it learn what was taken out (Refused), so that they skip what
// depends on it instead of reporting it again: a container joining a network the schema refused is not
// an unknown network, and addresses are not allocated from a daemon block missing one of its keys.
import type { Diagnostic, YamlPath } from '../diagnostics/diagnostic.ts';
import { validateSchema } from './validate.ts';

/** What the schema refused, for the stages that follow. */
export interface Refused {
  /** Networks taken out, by name; '*' when the whole `networks` block was refused. */
  readonly networks: ReadonlySet<string>;
  /** Containers taken out, by name; '*' when the whole `containers` block was refused. */
  readonly containers: ReadonlySet<string>;
  /**
   * Something the addresses and the topology are made from was taken out (a daemon, host or swarm key,
   * a project): the model's own checks still run, IPAM and the topology do not.
   */
  readonly incomplete: boolean;
}

export const NOTHING_REFUSED: Refused = { networks: new Set(), containers: new Set(), incomplete: false };

/** A network or container is refused by name, or all of them at once. */
export const isRefused = (set: ReadonlySet<string>, name: string): boolean => set.has('*') || set.has(name);

export interface SchemaChecked {
  /** The schema's diagnostics on the value as written. */
  readonly diagnostics: Diagnostic[];
  /** The value without what the schema refused; undefined when nothing usable is left (the root itself). */
  readonly value?: unknown;
  readonly refused: Refused;
}

/** Rounds of taking out and validating again (taking a unit out rarely makes its parent invalid). */
const MAX_ROUNDS = 8;

type Unit = YamlPath | 'root' | 'none';

/**
 * Settings of a container or network that nothing else depends on: without one, the rest is still what
 * the file asks for (no address, join or name changes), so only that key is taken out.
 */
const STANDALONE_KEYS: Readonly<Record<string, ReadonlySet<string>>> = {
  containers: new Set(['image', 'hostname', 'domainname', 'labels', 'dns', 'dns_search', 'dns_opt', 'extra_hosts', 'expose', 'ports', 'links', 'mac_address']),
  networks: new Set(['labels']),
};

/**
 * The part of the file a schema error takes out. Networks and containers go whole (their settings
 * depend on each other: a network without its refused subnet would get another one, a container without
 * its networks would join the default bridge), except for their standalone keys; daemon, host and swarm
 * settings go key by key; a host of `hosts:` goes key by key too.
 */
function unitOf(d: Diagnostic): Unit {
  // A missing key makes its parent invalid; `version` is the only key required of the file itself and
  // nothing after the schema reads it.
  const p = d.code === 'SCHEMA_REQUIRED' ? d.path.slice(0, -1) : d.path;
  if (p.length === 0) return d.code === 'SCHEMA_REQUIRED' ? 'none' : 'root';
  switch (p[0]) {
    case 'hosts':
      return p.slice(0, 3);
    case 'networks':
    case 'containers':
      return p.length > 2 && STANDALONE_KEYS[p[0]]!.has(String(p[2])) ? p.slice(0, 3) : p.slice(0, 2);
    case 'projects':
    case 'daemon':
    case 'host':
    case 'swarm':
      return p.slice(0, 2);
    default:
      return p.slice(0, 1);
  }
}

/** `value` without the key at `path`, copying only the mappings along the path. */
function without(value: unknown, path: YamlPath): unknown {
  if (path.length === 0 || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const [head, ...rest] = path;
  const key = String(head);
  const obj = value as Record<string, unknown>;
  if (!Object.hasOwn(obj, key)) return value;
  const copy = { ...obj };
  if (rest.length === 0) delete copy[key];
  else copy[key] = without(obj[key], rest);
  return copy;
}

const OUTSIDE_MODEL = new Set(['version', 'engine', 'name_resolution']);

function note(unit: YamlPath, refused: { networks: Set<string>; containers: Set<string>; incomplete: boolean }): void {
  const [section, name] = unit;
  if (section === 'networks' || section === 'containers') {
    if (unit.length <= 2) refused[section].add(name === undefined ? '*' : String(name));
  } else if (!OUTSIDE_MODEL.has(String(section))) refused.incomplete = true;
  // The default bridge is made of daemon settings: without one of them it is not what the file asks for.
  if (section === 'daemon') refused.networks.add('bridge');
  // A project brings networks and containers whose names the file does not spell out.
  if (section === 'projects') {
    refused.networks.add('*');
    refused.containers.add('*');
  }
}

/**
 * Validates `value` against the schema and takes out what it refuses. `validate` is the schema check
 * (validateSchema by default; the daemon.json file is checked through a wrapper).
 */
export function checkSchema(value: unknown, validate: (v: unknown) => Diagnostic[] = validateSchema): SchemaChecked {
  const diagnostics = validate(value);
  const refused = { networks: new Set<string>(), containers: new Set<string>(), incomplete: false };
  if (!diagnostics.some((d) => d.severity === 'error')) return { diagnostics, value, refused };
  let current = value;
  let errors = diagnostics;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const units = errors.filter((d) => d.severity === 'error').map(unitOf);
    if (units.includes('root')) return { diagnostics, refused };
    for (const unit of units) {
      if (unit === 'none' || unit === 'root') continue;
      note(unit, refused);
      current = without(current, unit);
    }
    errors = validate(current);
    if (!errors.some((d) => d.severity === 'error')) return { diagnostics, value: current, refused };
    // Only a `version` problem is left: nothing more to take out.
    if (errors.every((d) => d.severity !== 'error' || unitOf(d) === 'none')) return { diagnostics, value: current, refused };
  }
  return { diagnostics, refused };
}
