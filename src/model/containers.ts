// Containers as compose declares them, normalised: network_mode, the networks joined (in the order
// written, which is the join order), published ports, DNS settings, extra hosts and links.
import { error, warning, type Diagnostic, type YamlPath } from '../diagnostics/diagnostic.ts';
import { addrString, parseAddr, parseIP } from '../net/index.ts';
import { HOSTNAME, interfaceNameProblem } from './names.ts';
import { containerRecordProblems } from './record-words.ts';
import { parseExpose, parseLongPort, parseShortPort, type LongPort } from './ports.ts';
import type { Container, EndpointRequest, ExtraHost, Link, NetworkMode, PortBinding } from './types.ts';
import { DEFAULT_BRIDGE } from './networks.ts';

type Raw = Record<string, unknown>;

const asList = (v: unknown): string[] | undefined =>
  v === undefined || v === null ? undefined : Array.isArray(v) ? v.map(String) : [String(v)];

function networkMode(raw: Raw, path: YamlPath, diagnostics: Diagnostic[]): NetworkMode {
  const m = raw['network_mode'];
  if (m === undefined || m === null || m === 'bridge' || m === 'default') return { kind: 'networks' };
  if (m === 'host') return { kind: 'host' };
  if (m === 'none') return { kind: 'none' };
  const s = String(m);
  if (s.startsWith('container:')) return { kind: 'container', container: s.slice('container:'.length) };
  if (s.startsWith('service:')) {
    diagnostics.push(error('UNSUPPORTED', [...path, 'network_mode'], `"${s}": compose service references are not supported; use container:NAME`));
    return { kind: 'networks' };
  }
  // A network name given as the mode (docker run --network NAME) joins that network.
  return { kind: 'networks' };
}

function endpoints(raw: Raw, path: YamlPath, diagnostics: Diagnostic[]): EndpointRequest[] {
  const m = raw['network_mode'];
  const nets = raw['networks'];
  if (nets === undefined || nets === null) {
    const name = typeof m === 'string' && !['bridge', 'default', 'host', 'none'].includes(m) && !m.includes(':') ? m : DEFAULT_BRIDGE;
    return [{ network: name, aliases: [], gwPriority: 0, path: typeof m === 'string' ? [...path, 'network_mode'] : path }];
  }
  if (Array.isArray(nets)) {
    return nets.map((n, i) => ({ network: String(n), aliases: [], gwPriority: 0, path: [...path, 'networks', i] }));
  }
  return Object.entries(nets as Raw).map(([name, v]) => {
    const e = (v ?? {}) as Raw;
    const p: YamlPath = [...path, 'networks', name];
    const ifname = (e['interface_name'] as string | undefined) ?? ((e['driver_opts'] as Raw | undefined)?.['com.docker.network.endpoint.ifname'] as string | undefined);
    if (ifname !== undefined) {
      const problem = interfaceNameProblem(ifname);
      if (problem) diagnostics.push(error('BAD_INTERFACE_NAME', [...p, e['interface_name'] !== undefined ? 'interface_name' : 'driver_opts'], problem));
    }
    const gw = e['gw_priority'] ?? e['priority'];
    return {
      network: name,
      aliases: asList(e['aliases']) ?? [],
      ...(typeof e['ipv4_address'] === 'string' ? { ipv4Address: e['ipv4_address'] } : {}),
      ...(typeof e['ipv6_address'] === 'string' ? { ipv6Address: e['ipv6_address'] } : {}),
      ...(typeof e['mac_address'] === 'string' ? { macAddress: e['mac_address'].toLowerCase() } : {}),
      gwPriority: typeof gw === 'number' ? gw : 0,
      ...(ifname !== undefined ? { interfaceName: ifname } : {}),
      path: p,
    };
  });
}

function ports(raw: Raw, path: YamlPath, diagnostics: Diagnostic[]): PortBinding[] {
  const list = Array.isArray(raw['ports']) ? (raw['ports'] as unknown[]) : [];
  const out: PortBinding[] = [];
  list.forEach((p, i) => {
    const pp: YamlPath = [...path, 'ports', i];
    const r = typeof p === 'object' && p !== null ? parseLongPort(p as LongPort, pp) : parseShortPort(p as string | number, pp);
    if (!r.ok) {
      diagnostics.push(error('BAD_PORT', pp, r.message));
      return;
    }
    for (const b of r.bindings) {
      // The host address is a netip.Addr that reaches the port mapper as a net.IP (binding.HostIP.AsSlice(),
      // daemon/network.go), whose To4 makes a mapped address IPv4: parseIP reads it so.
      const hostIP = b.hostIP === '' ? undefined : parseIP(b.hostIP);
      if (b.hostIP !== '' && !hostIP) {
        diagnostics.push(error('BAD_ADDRESS', pp, `host address "${b.hostIP}" is not an IP address`));
        return;
      }
      out.push(hostIP ? { ...b, hostIP: addrString(hostIP) } : b);
    }
  });
  return out;
}

function extraHosts(raw: Raw, path: YamlPath, diagnostics: Diagnostic[]): ExtraHost[] {
  const v = raw['extra_hosts'];
  const out: ExtraHost[] = [];
  const add = (name: string, address: string, p: YamlPath) => {
    let a = address.trim();
    if (a.startsWith('[') && a.endsWith(']')) a = a.slice(1, -1);
    // The CLI checks the address with net.ParseIP; dockerd reads it with netip.ParseAddr and Unmap
    // (container_operations.go buildSandboxOptions): parseIP is both.
    const ip = a === 'host-gateway' ? undefined : parseIP(a);
    if (a !== 'host-gateway' && !ip) {
      diagnostics.push(error('BAD_ADDRESS', p, `extra host "${name}": "${address}" is not an IP address or host-gateway`));
      return;
    }
    out.push({ name, address: ip ? addrString(ip) : a, path: p });
  };
  if (Array.isArray(v)) {
    v.forEach((entry, i) => {
      const s = String(entry);
      // compose accepts "name:ip" and "name=ip"; with ':' only the first one separates (IPv6 has more).
      const eq = s.indexOf('=');
      const colon = s.indexOf(':');
      const sep = eq >= 0 && (colon < 0 || eq < colon) ? eq : colon;
      if (sep <= 0) {
        diagnostics.push(error('BAD_ADDRESS', [...path, 'extra_hosts', i], `"${s}" is not "name:address" or "name=address"`));
        return;
      }
      add(s.slice(0, sep), s.slice(sep + 1), [...path, 'extra_hosts', i]);
    });
  } else if (v && typeof v === 'object') {
    for (const [name, a] of Object.entries(v as Raw)) add(name, String(a), [...path, 'extra_hosts', name]);
  }
  return out;
}

function links(raw: Raw, path: YamlPath): Link[] {
  const v = Array.isArray(raw['links']) ? (raw['links'] as unknown[]) : [];
  return v.map((l, i) => {
    const [container, alias] = String(l).split(':');
    return { container: container!, alias: alias ?? container!, path: [...path, 'links', i] };
  });
}

/**
 * `defaultHost`: the host a container runs on when it does not say (the only host); undefined when there
 * are several, where `host:` is required (checked in checks.ts).
 */
export function buildContainer(name: string, raw: Raw | null, defaultHost?: string): { container: Container; diagnostics: Diagnostic[] } {
  const r: Raw = raw ?? {};
  const path: YamlPath = ['containers', name];
  const diagnostics: Diagnostic[] = [];
  const mode = networkMode(r, path, diagnostics);
  diagnostics.push(...containerRecordProblems(r, path));
  const hostname = (r['hostname'] as string | undefined) ?? name;
  if (r['hostname'] !== undefined && !HOSTNAME.test(hostname)) {
    diagnostics.push(error('BAD_NAME', [...path, 'hostname'], `"${hostname}" is not a valid host name (RFC 1123: letters, digits, hyphens, dots)`));
  }
  const domainname = r['domainname'] as string | undefined;
  if (domainname !== undefined && domainname !== '' && !HOSTNAME.test(domainname)) {
    diagnostics.push(error('BAD_NAME', [...path, 'domainname'], `"${domainname}" is not a valid domain name`));
  }
  // A service task without networks joins none of its own (only ingress, when it publishes there);
  // a plain container without them joins the default bridge.
  const serviceWithoutNetworks = typeof r['service'] === 'string' && (r['networks'] === undefined || r['networks'] === null) && r['network_mode'] === undefined;
  const eps = mode.kind === 'networks' && !serviceWithoutNetworks ? endpoints(r, path, diagnostics) : [];
  if (mode.kind !== 'networks' && r['networks'] !== undefined && r['networks'] !== null) {
    diagnostics.push(error('NETWORK_MODE_CONFLICT', [...path, 'networks'], `network_mode ${r['network_mode']} cannot be combined with networks (Docker: "conflicting options: host type networking can't be used with links" / "container cannot be connected to multiple networks with one of the networks in private (none) mode")`, { atKey: true }));
  }
  let portList = ports(r, path, diagnostics);
  if (portList.length > 0 && mode.kind !== 'networks') {
    // Docker discards published ports in host/none/container mode ("Published ports are discarded when using host network mode").
    diagnostics.push(warning('PORTS_IGNORED', [...path, 'ports'], `published ports are discarded with network_mode ${String(r['network_mode'])}, as Docker does`, { atKey: true }));
    portList = [];
  }
  const expose: { proto: 'tcp' | 'udp' | 'sctp'; port: number }[] = [];
  (Array.isArray(r['expose']) ? (r['expose'] as unknown[]) : []).forEach((e, i) => {
    const parsed = parseExpose(e as string | number);
    if (!parsed) diagnostics.push(error('BAD_PORT', [...path, 'expose', i], `"${String(e)}" is not a port, port range or port/protocol`));
    else for (const x of parsed) expose.push(x);
  });
  const dns = asList(r['dns']);
  const dnsSearch = asList(r['dns_search']);
  const dnsOptions = asList(r['dns_opt']);
  // HostConfig.DNS is a []netip.Addr (the API parses each with netip.ParseAddr); zones are refused.
  const dnsAddr = (d: string): string | undefined => {
    const a = parseAddr(d);
    return a && a.zone === '' ? addrString(a) : undefined;
  };
  if (dns) dns.forEach((d, i) => {
    if (!dnsAddr(d)) diagnostics.push(error('BAD_ADDRESS', Array.isArray(r['dns']) ? [...path, 'dns', i] : [...path, 'dns'], `"${d}" is not an IP address`));
  });
  const mac = typeof r['mac_address'] === 'string' ? (r['mac_address'] as string).toLowerCase() : undefined;
  const service = typeof r['service'] === 'string' ? (r['service'] as string) : undefined;
  const endpointMode = r['endpoint_mode'] === 'dnsrr' ? 'dnsrr' : 'vip';
  if (r['endpoint_mode'] !== undefined && !service) {
    diagnostics.push(error('NOT_A_SERVICE', [...path, 'endpoint_mode'], 'endpoint_mode is a swarm service setting: add service: NAME (the container stands for a task of that service)', { atKey: true }));
  }
  if (!service) {
    // docker run has no routing mesh: compose's mode: ingress on a plain container publishes on the host.
    portList = portList.map((b) => {
      if (b.mode !== 'ingress') return b;
      diagnostics.push(warning('INGRESS_ON_CONTAINER', [...b.path, 'mode'], 'mode: ingress needs a swarm service (service: NAME); on a plain container the port is published on the host, as on a single engine'));
      return { ...b, mode: 'host' as const };
    });
  }
  const container: Container = {
    name,
    path,
    host: typeof r['host'] === 'string' ? (r['host'] as string) : defaultHost ?? '',
    ...(service ? { service } : {}),
    endpointMode,
    hostname,
    ...(domainname ? { domainname } : {}),
    mode,
    endpoints: eps,
    ports: portList,
    expose,
    ...(dns ? { dns: dns.map((d) => dnsAddr(d) ?? d) } : {}),
    ...(dnsSearch ? { dnsSearch } : {}),
    ...(dnsOptions ? { dnsOptions } : {}),
    extraHosts: extraHosts(r, path, diagnostics),
    links: links(r, path),
    ...(mac ? { macAddress: mac } : {}),
  };
  return { container, diagnostics };
}
