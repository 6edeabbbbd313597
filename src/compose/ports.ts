// Compose's `ports` short syntax, read as compose-go does (types.ParsePortConfig, which calls
// go-connections nat.ParsePortSpec): "[IP:][HOST[-END]:]CONTAINER[-END][/PROTO]", one entry per container
// port, sorted by "<port>/<proto>" as text (compose-go sorts the map keys). A host range with a single
// container port stays a range (the engine picks a free port in it).

import { parseIP } from '../net/index.ts';

export interface PortConfig {
  readonly target: number;
  /** "" when no host port is given (the engine picks one), else a port or "START-END". */
  readonly published: string;
  /** "" when not given. */
  readonly hostIP: string;
  readonly protocol: string;
}

export type PortSpecResult = { readonly ok: true; readonly ports: readonly PortConfig[] } | { readonly ok: false; readonly error: string };

// splitParts: the last field is the container port, the one before it the host port, the rest the address.
function splitParts(raw: string): [string, string, string] {
  const parts = raw.split(':');
  const n = parts.length;
  const container = parts[n - 1]!;
  if (n === 1) return ['', '', container];
  if (n === 2) return ['', parts[0]!, container];
  return [parts.slice(0, n - 2).join(':'), parts[n - 2]!, container];
}

// SplitProtoPort.
function splitProto(raw: string): [string, string] {
  const parts = raw.split('/');
  if (raw.length === 0 || parts[0]!.length === 0) return ['', ''];
  if (parts.length === 1) return ['tcp', raw];
  if (parts[1]!.length === 0) return ['tcp', parts[0]!];
  return [parts[1]!, parts[0]!];
}

/** strconv.ParseUint(s, 10, 16). */
function uint16(s: string): number | undefined {
  if (!/^\d+$/.test(s)) return undefined;
  const n = Number(s);
  return n <= 65535 ? n : undefined;
}

/** nat.ParsePortRange. */
export function parsePortRange(s: string): [number, number] | undefined {
  if (s === '') return undefined;
  if (!s.includes('-')) {
    const p = uint16(s);
    return p === undefined ? undefined : [p, p];
  }
  const [a, b] = s.split('-', 2) as [string, string];
  const start = uint16(a);
  const end = uint16(b);
  if (start === undefined || end === undefined || end < start) return undefined;
  return [start, end];
}

/** nat.ParsePortSpec + compose-go's ParsePortConfig ordering. */
export function parsePortSpec(raw: string): PortSpecResult {
  const [ipPart, hostPort, containerPart] = splitParts(raw);
  const [protoRaw, containerPort] = splitProto(containerPart);
  let ip = ipPart;
  if (ip.startsWith('[')) {
    // net.SplitHostPort(ip + ":"): "[addr]" with nothing after the bracket.
    if (!ip.endsWith(']')) return { ok: false, error: `invalid IP address ${ip}` };
    ip = ip.slice(1, -1);
  }
  if (ip !== '' && !parseIP(ip)) return { ok: false, error: `invalid IP address: ${ip}` };
  if (containerPort === '') return { ok: false, error: `no port specified: ${raw}<empty>` };
  const container = parsePortRange(containerPort);
  if (!container) return { ok: false, error: `invalid containerPort: ${containerPort}` };
  let host: [number, number] = [0, 0];
  if (hostPort !== '') {
    const h = parsePortRange(hostPort);
    if (!h) return { ok: false, error: `invalid hostPort: ${hostPort}` };
    host = h;
  }
  const [start, end] = container;
  if (hostPort !== '' && end - start !== host[1] - host[0] && end !== start) {
    return { ok: false, error: `invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}` };
  }
  const protocol = protoRaw.toLowerCase();
  if (!['tcp', 'udp', 'sctp'].includes(protocol)) return { ok: false, error: `invalid proto: ${protocol}` };
  const count = end - start + 1;
  const ports: PortConfig[] = [];
  for (let i = 0; i < count; i++) {
    let published = '';
    if (hostPort !== '') {
      published = String(host[0] + i);
      if (count === 1 && host[0] !== host[1]) published += `-${host[1]}`;
    }
    ports.push({ target: start + i, published, hostIP: ip, protocol });
  }
  ports.sort((a, b) => cmpText(`${a.target}/${a.protocol}`, `${b.target}/${b.protocol}`));
  return { ok: true, ports };
}

const cmpText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
