// Published ports in compose's short and long syntax, parsed the way the Docker CLI does
// (github.com/docker/go-connections/nat ParsePortSpec): "[ip:][hostPort[-end]:]containerPort[-end][/proto]",
// an IPv6 host address in brackets. A container port range with a host range of the same length is
// split into one binding per port; a single container port with a host range lets Docker pick the
// first free host port of the range.
import type { YamlPath } from '../diagnostics/diagnostic.ts';
import type { PortBinding, Protocol } from './types.ts';

export type PortParse = { ok: true; bindings: PortBinding[] } | { ok: false; message: string };

const PROTOCOLS: readonly Protocol[] = ['tcp', 'udp', 'sctp'];

function parseRange(text: string): [number, number] | undefined {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (start > 65535 || end > 65535 || end < start) return undefined;
  return [start, end];
}

function expand(
  proto: Protocol,
  hostIP: string,
  host: [number, number] | undefined,
  container: [number, number],
  path: YamlPath,
  mode: 'host' | 'ingress' = 'host',
): PortParse {
  const [cStart, cEnd] = container;
  if (cStart === 0) return { ok: false, message: 'container port 0 is not a valid port' };
  const cCount = cEnd - cStart;
  if (!host) {
    // No host port: Docker picks an ephemeral one per container port.
    const bindings: PortBinding[] = [];
    for (let p = cStart; p <= cEnd; p++) bindings.push({ proto, hostIP, hostPort: 0, hostPortEnd: 0, containerPort: p, containerPortEnd: p, mode, path });
    return { ok: true, bindings };
  }
  const [hStart, hEnd] = host;
  const hCount = hEnd - hStart;
  if (cCount > 0 && hCount !== cCount) {
    return { ok: false, message: `host port range ${hStart}-${hEnd} and container port range ${cStart}-${cEnd} differ in length` };
  }
  if (cCount > 0) {
    const bindings: PortBinding[] = [];
    for (let i = 0; i <= cCount; i++) {
      bindings.push({ proto, hostIP, hostPort: hStart + i, hostPortEnd: hStart + i, containerPort: cStart + i, containerPortEnd: cStart + i, mode, path });
    }
    return { ok: true, bindings };
  }
  return { ok: true, bindings: [{ proto, hostIP, hostPort: hStart, hostPortEnd: hEnd, containerPort: cStart, containerPortEnd: cStart, mode, path }] };
}

/** Short syntax: "8080:80", "127.0.0.1:5353:53/udp", "[::1]:8080:80", "9000-9002:9000-9002", "80". */
export function parseShortPort(spec: string | number, path: YamlPath): PortParse {
  let text = String(spec).trim();
  let proto: Protocol = 'tcp';
  const slash = text.lastIndexOf('/');
  if (slash >= 0) {
    const p = text.slice(slash + 1).toLowerCase();
    if (!PROTOCOLS.includes(p as Protocol)) return { ok: false, message: `unknown protocol "${p}"; expected tcp, udp or sctp` };
    proto = p as Protocol;
    text = text.slice(0, slash);
  }
  let hostIP = '';
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || text[close + 1] !== ':') return { ok: false, message: `"${spec}" has an unterminated [IPv6] host address` };
    hostIP = text.slice(1, close);
    text = text.slice(close + 2);
  } else {
    const parts = text.split(':');
    // go-connections splitParts: with more than three fields, everything before the last two is the
    // host address (an unbracketed IPv6 address such as ::1:8080:80).
    if (parts.length >= 3) {
      hostIP = parts.slice(0, -2).join(':');
      text = parts.slice(-2).join(':');
    }
  }
  const fields = text.split(':');
  const containerText = fields.length === 2 ? fields[1]! : fields[0]!;
  const hostText = fields.length === 2 ? fields[0]! : '';
  const container = parseRange(containerText);
  if (!container) return { ok: false, message: `"${containerText}" is not a container port or port range (1-65535)` };
  let host: [number, number] | undefined;
  if (hostText !== '') {
    host = parseRange(hostText);
    if (!host) return { ok: false, message: `"${hostText}" is not a host port or port range (1-65535)` };
    if (host[0] === 0) host = undefined;
  }
  return expand(proto, hostIP, host, container, path);
}

export interface LongPort {
  target: number | string;
  published?: number | string;
  host_ip?: string;
  protocol?: string;
  mode?: string;
}

export function parseLongPort(p: LongPort, path: YamlPath): PortParse {
  const proto = (p.protocol ?? 'tcp').toLowerCase();
  if (!PROTOCOLS.includes(proto as Protocol)) return { ok: false, message: `unknown protocol "${proto}"; expected tcp, udp or sctp` };
  const container = parseRange(String(p.target));
  if (!container) return { ok: false, message: `target "${p.target}" is not a container port or port range` };
  let host: [number, number] | undefined;
  if (p.published !== undefined && String(p.published) !== '') {
    host = parseRange(String(p.published));
    if (!host) return { ok: false, message: `published "${p.published}" is not a host port or port range` };
    if (host[0] === 0) host = undefined;
  }
  let hostIP = p.host_ip ?? '';
  if (hostIP.startsWith('[') && hostIP.endsWith(']')) hostIP = hostIP.slice(1, -1);
  return expand(proto as Protocol, hostIP, host, container, path, p.mode === 'ingress' ? 'ingress' : 'host');
}

/** `expose:` entries: "80", 443, "1000-1002/udp". */
export function parseExpose(spec: string | number): { proto: Protocol; port: number }[] | undefined {
  let text = String(spec);
  let proto: Protocol = 'tcp';
  const slash = text.indexOf('/');
  if (slash >= 0) {
    proto = text.slice(slash + 1).toLowerCase() as Protocol;
    if (!PROTOCOLS.includes(proto)) return undefined;
    text = text.slice(0, slash);
  }
  const r = parseRange(text);
  if (!r || r[0] === 0) return undefined;
  const out: { proto: Protocol; port: number }[] = [];
  for (let p = r[0]; p <= r[1]; p++) out.push({ proto, port: p });
  return out;
}
