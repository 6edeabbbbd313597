// `expect:`: connections the file's author says must get through (reach) or must not (blocked), checked
// with the packet tracer by validate and build (src/trace/expect.ts). Each entry is a line
//   FROM -> TO:PORT[/PROTO] reach|blocked [AT]
// or a mapping {from, to, port, proto, verdict, at, host, ipv6}. AT names who must (or must not) get the
// request: `outside -> host:8080 reach web` holds when the published port leads to web; it defaults to
// TO when TO is a container. FROM, TO and AT stay as written here (host, host:NAME, outside,
// outside:ADDR, a container name, NAME@NETWORK, an address); the tracer reads them.
import { error, type Diagnostic, type YamlPath } from '../diagnostics/diagnostic.ts';
type Protocol = 'tcp' | 'udp' | 'sctp';

export interface Expectation {
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly proto: Protocol;
  readonly verdict: 'reach' | 'blocked';
  /** Who must (reach) or must not (blocked) receive the request, when not simply TO. */
  readonly at?: string;
  /** The host `host` (and a container name on several hosts) means. */
  readonly host?: string;
  readonly family?: 4 | 6;
  /** The entry as a line: `FROM -> TO:PORT/PROTO VERDICT`. */
  readonly text: string;
  /** Written as a line, or as a mapping (whose fields have paths of their own). */
  readonly form: 'line' | 'mapping';
  readonly path: YamlPath;
}

type Raw = Record<string, unknown>;

const LINE = /^\s*(\S+)\s*->\s*(\S+?):(\d{1,5})(?:\/(tcp|udp|sctp))?\s+(reach|blocked)(?:\s+(\S+))?\s*$/;

const textOf = (e: Omit<Expectation, 'text' | 'path' | 'form'>): string => `${e.from} -> ${e.to}:${e.port}/${e.proto} ${e.verdict}${e.at ? ` ${e.at}` : ''}`;

function entry(raw: unknown, path: YamlPath): Expectation | Diagnostic {
  if (typeof raw === 'string') {
    const m = LINE.exec(raw);
    if (!m) return error('SCHEMA_PATTERN', path, `"${raw}": expected FROM -> TO:PORT[/tcp|udp|sctp] reach|blocked [AT]`);
    const port = Number(m[3]);
    if (port < 1 || port > 65535) return error('BAD_PORT', path, `port ${port} is out of range (1-65535)`);
    const e = { from: m[1]!, to: m[2]!, port, proto: (m[4] ?? 'tcp') as Protocol, verdict: m[5] as 'reach' | 'blocked', ...(m[6] ? { at: m[6] } : {}) };
    return { ...e, text: textOf(e), form: 'line', path };
  }
  const r = (raw ?? {}) as Raw;
  const e = {
    from: String(r['from']),
    to: String(r['to']),
    port: Number(r['port']),
    proto: (r['proto'] ?? 'tcp') as Protocol,
    verdict: r['verdict'] as 'reach' | 'blocked',
    ...(typeof r['at'] === 'string' ? { at: r['at'] } : {}),
    ...(typeof r['host'] === 'string' ? { host: r['host'] } : {}),
    ...(r['ipv6'] === true ? { family: 6 as const } : {}),
  };
  return { ...e, text: textOf(e), form: 'mapping', path };
}

/** The schema-valid `expect:` list as expectations (a line the schema let through but that does not parse is an error). */
export function readExpectations(raw: unknown): { expectations: Expectation[]; diagnostics: Diagnostic[] } {
  const expectations: Expectation[] = [];
  const diagnostics: Diagnostic[] = [];
  (Array.isArray(raw) ? raw : []).forEach((item, i) => {
    const e = entry(item, ['expect', i]);
    if ('severity' in e) diagnostics.push(e);
    else expectations.push(e);
  });
  return { expectations, diagnostics };
}
