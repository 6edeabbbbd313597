// Diagnostics are data: every stage collects them instead of throwing, carrying the YAML path of the
// element concerned. Line and column are computed once, when printing (see format.ts), from the path
// (through the parsed document's node ranges) or from an explicit offset range.

export type Severity = 'error' | 'warning';

/** A closed set of codes; tests assert the code and the position, never the prose. */
export type DiagnosticCode =
  // parse
  | 'YAML_SYNTAX'
  | 'YAML_WARNING' // e.g. an unknown tag (`!foo`): the value is kept as a plain scalar
  | 'DAEMON_FILE'
  | 'FILE_UNREADABLE' // the command line: an input (or --secrets) file that cannot be read
  // schema
  | 'SCHEMA_TYPE'
  | 'SCHEMA_REQUIRED'
  | 'SCHEMA_UNKNOWN_KEY'
  | 'SCHEMA_ENUM'
  | 'SCHEMA_FORMAT'
  | 'SCHEMA_PATTERN'
  | 'SCHEMA_RANGE'
  | 'SCHEMA_OTHER'
  // semantic
  | 'BAD_ADDRESS'
  | 'BAD_PREFIX'
  | 'SUBNET_OVERLAP'
  | 'ADDRESS_OUTSIDE_SUBNET'
  | 'ADDRESS_OUTSIDE_RANGE'
  | 'DUPLICATE_ADDRESS'
  | 'BAD_GATEWAY'
  | 'UNKNOWN_NETWORK'
  | 'UNKNOWN_CONTAINER'
  | 'PORT_CONFLICT'
  | 'BAD_PORT'
  | 'NETWORK_MODE_CONFLICT'
  | 'LINK_NOT_DEFAULT_BRIDGE'
  | 'FIXED_CIDR_OUTSIDE_BIP'
  | 'MTU_RANGE'
  | 'BAD_INTERFACE_NAME'
  | 'BAD_NAME'
  | 'BAD_OPTION'
  | 'DUPLICATE_NETWORK'
  | 'BAD_HOST_FILE'
  | 'POOL_EXHAUSTED'
  | 'IPV6_DISABLED'
  | 'UNSUPPORTED'
  | 'FIREWALL_OFF' // a family's iptables option is off: what Docker does not program there
  // several hosts, swarm and the other drivers
  | 'HOST_AND_HOSTS'
  | 'UNKNOWN_HOST'
  | 'DUPLICATE_UNDERLAY'
  | 'NO_UNDERLAY_ADDRESS'
  | 'NOT_A_SERVICE'
  | 'NOT_ATTACHABLE'
  | 'INGRESS_ON_CONTAINER'
  | 'DUPLICATE_VNI'
  | 'UNKNOWN_PARENT'
  | 'NO_SECRETS'
  // --secrets FILE (topology/overlay/secrets.ts): no key bytes ever appear in these messages
  | 'SECRETS_NO_KEYS'
  | 'SECRETS_KEY_HEX'
  | 'SECRETS_KEY_LENGTH'
  | 'SECRETS_DUPLICATE_TAG'
  // compose files (src/compose): read as Docker Compose v2 deploys them
  | 'COMPOSE_FILE' // a compose file, .env or env_file that cannot be read
  | 'COMPOSE_ENV' // a .env file Compose refuses
  | 'COMPOSE_SCHEMA' // not valid under the Compose specification's schema
  | 'COMPOSE_INTERPOLATION' // a ${...} Compose refuses, or a value that cannot be cast after it
  | 'COMPOSE_VARIABLE' // (warning) a variable that is not set: Compose uses a blank string
  | 'COMPOSE_MERGE' // files that cannot be merged (a mapping overridden by a list...)
  | 'COMPOSE_PROJECT' // no valid project name
  | 'COMPOSE_REFERENCE' // a reference to a network, service or container that does not exist; a cycle
  | 'COMPOSE_CONFLICT' // two projects (or a project and the netform file) make the same container
  | 'COMPOSE_UNSUPPORTED' // networking netform cannot reproduce
  // expect: (checked with the packet tracer)
  | 'EXPECT_FAILED'
  | 'EXPECT_INVALID'
  | 'EXPECT_UNKNOWN'
  // the lock file (src/lock, docs/lock.md)
  | 'LOCK_INVALID' // the lock file is not as netform writes it (an unknown key, a value of the wrong kind)
  | 'LOCK_CONFLICT' // an allocation the lock pins that the input no longer allows
  | 'LOCK_OUT_OF_DATE' // allocations the lock would gain or lose (--frozen-lock, validate)
  // warnings
  | 'PORTS_IGNORED'
  | 'NO_HOST_RESOLV_CONF'
  | 'IGNORED';

export type YamlPath = readonly (string | number)[];

export interface Diagnostic {
  readonly severity: Severity;
  readonly code: DiagnosticCode;
  /** Plain English: what is wrong and what was expected. */
  readonly message: string;
  /** The YAML path of the offending element (key or value); [] for the document. */
  readonly path: YamlPath;
  /** When true, point at the key of `path` rather than its value (e.g. an unknown key). */
  readonly atKey?: boolean;
  /** Explicit source offsets [start, end) when no path fits (syntax errors). */
  readonly range?: readonly [number, number];
  /** The file the offsets belong to, when not the main input (a daemon.json named by `daemon:`). */
  readonly file?: string;
}

/**
 * Characters a terminal takes as a line break or a control sequence (C0 and C1 controls but tab, DEL, the
 * Unicode line and paragraph separators): a message quoting a value from the input must stay one line.
 */
export const CONTROL_CHARACTERS = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g;

/** `s` on one line: each control character written as an escape (\n, \r, \u001b, \u2028). */
export const oneLine = (s: string): string =>
  s.replace(CONTROL_CHARACTERS, (ch) => (ch === '\n' ? '\\n' : ch === '\r' ? '\\r' : `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`));

export const error = (code: DiagnosticCode, path: YamlPath, message: string, extra: Partial<Diagnostic> = {}): Diagnostic => ({
  severity: 'error',
  code,
  message: oneLine(message),
  path,
  ...extra,
});

export const warning = (code: DiagnosticCode, path: YamlPath, message: string, extra: Partial<Diagnostic> = {}): Diagnostic => ({
  severity: 'warning',
  code,
  message: oneLine(message),
  path,
  ...extra,
});

/**
 * Appends `items` to `list`. `list.push(...items)` passes every item as an argument, on the stack: it
 * fails somewhere past 100,000 items, which one file with that many containers or ports reaches.
 */
export function appendAll<T>(list: T[], items: Iterable<T>): void {
  for (const item of items) list.push(item);
}
