// A deterministic generator of netform topologies of any size, for the benchmark.
//
// Every item depends only on its own index (and on the networks count for container placement), never
// on the total sizes otherwise, so a smaller case with the same number of networks is a prefix of a
// bigger one: its networks are the same and its containers and ports are the first ones of the bigger
// case. The benchmark relies on that to check that the compiler's output for a prefix does not change
// when more input follows it.
//
// Shape, for network j, container i and published port k:
// - network `net-j`: an explicit IPv4 subnet (10.A.B.0/24 carved from j, or 10.A.0.0/16 when a network
//   holds more than 250 containers); every 4th network has IPv6, with an explicit /64 (j % 8 == 0) or one
//   from the daemon's ULA pool (j % 8 == 4), so pool allocation is exercised at scale too.
// - container `c-i`: joins `net-(i mod N)`; every 5th container also joins the next network.
// - port k: belongs to container floor(k * M / P). Most ports are TCP on an explicit host address
//   10.255.X.Y (64,000 ports per address, 1024..65023), which keeps (address, port) pairs unique at any
//   P; every 10th is UDP on all addresses (0.0.0.0 and ::), on its own port, so IPv6 DNAT is exercised.
//   Host addresses outside every subnet and no host routes: no conflict, no overlap diagnostics.

export interface GenerateOptions {
  readonly networks: number;
  readonly containers: number;
  readonly ports: number;
}

export interface GeneratedNetwork {
  readonly name: string;
  readonly subnet: string;
  readonly subnet6?: string;
  readonly ipv6: boolean;
}

export interface GeneratedContainer {
  readonly name: string;
  readonly networks: readonly string[];
  readonly ports: readonly string[];
}

export interface Generated {
  readonly networks: readonly GeneratedNetwork[];
  readonly containers: readonly GeneratedContainer[];
}

const PORTS_PER_ADDRESS = 64_000;
const FIRST_PORT = 1024;
const HOST_NAME = 'bench';
const RESOLV_CONF = 'nameserver 192.0.2.53\nsearch bench.example\n';

function subnetOf(j: number, perNetwork: number): string {
  if (perNetwork <= 250) {
    // 10.1.0.0/24 ... 10.254.255.0/24: 64,768 networks.
    if (j >= 254 * 256) throw new Error(`generate: at most ${254 * 256} networks of /24`);
    return `10.${1 + (j >> 8)}.${j & 255}.0/24`;
  }
  if (j >= 254) throw new Error('generate: at most 254 networks of /16 (more than 250 containers per network)');
  if (perNetwork > 65_000) throw new Error('generate: at most 65,000 containers per network');
  return `10.${1 + j}.0.0/16`;
}

/** The published port k as a compose short-syntax string. */
export function portSpec(k: number): string {
  const containerPort = 8000 + (k % 100);
  if (k % 10 === 9) {
    const n = Math.floor(k / 10);
    if (n >= PORTS_PER_ADDRESS) throw new Error('generate: too many UDP ports (at most 640,000 ports in all)');
    return `${FIRST_PORT + n}:${containerPort}/udp`;
  }
  const a = Math.floor(k / PORTS_PER_ADDRESS);
  if (a >= 250 * 250) throw new Error('generate: too many ports');
  return `10.255.${Math.floor(a / 250)}.${1 + (a % 250)}:${FIRST_PORT + (k % PORTS_PER_ADDRESS)}:${containerPort}`;
}

export function generate(o: GenerateOptions): Generated {
  if (o.networks < 1 || o.containers < 0 || o.ports < 0) throw new Error('generate: sizes must be positive');
  if (o.ports > 0 && o.containers === 0) throw new Error('generate: ports need containers');
  const perNetwork = Math.ceil((o.containers * 1.2) / o.networks);
  const networks: GeneratedNetwork[] = [];
  for (let j = 0; j < o.networks; j++) {
    const ipv6 = j % 4 === 0;
    networks.push({
      name: `net-${j}`,
      subnet: subnetOf(j, perNetwork),
      ipv6,
      ...(j % 8 === 0 ? { subnet6: `fd00:${(j >> 16).toString(16)}:${(j & 0xffff).toString(16)}::/64` } : {}),
    });
  }
  const containers: GeneratedContainer[] = [];
  for (let i = 0; i < o.containers; i++) {
    const nets = [`net-${i % o.networks}`];
    if (i % 5 === 4 && o.networks > 1) nets.push(`net-${(i + 1) % o.networks}`);
    const first = Math.ceil((i * o.ports) / o.containers);
    const end = Math.ceil(((i + 1) * o.ports) / o.containers);
    const ports: string[] = [];
    for (let k = first; k < end; k++) ports.push(portSpec(k));
    containers.push({ name: `c-${i}`, networks: nets, ports });
  }
  return { networks, containers };
}

/** The input document as plain data (what YAML.parse of toYaml() returns). */
export function toDocument(g: Generated): Record<string, unknown> {
  const networks: Record<string, unknown> = {};
  for (const n of g.networks) {
    const config: Record<string, string>[] = [{ subnet: n.subnet }];
    if (n.subnet6) config.push({ subnet: n.subnet6 });
    networks[n.name] = { ...(n.ipv6 ? { enable_ipv6: true } : {}), ipam: { config } };
  }
  const containers: Record<string, unknown> = {};
  for (const c of g.containers) {
    containers[c.name] = { image: 'nginx', networks: [...c.networks], ...(c.ports.length > 0 ? { ports: [...c.ports] } : {}) };
  }
  return { version: 1, host: { name: HOST_NAME, resolv_conf: RESOLV_CONF }, networks, containers };
}

/**
 * The document as block YAML, written directly (yaml's stringifier would take longer than the compiler).
 * Every string is plain-safe: names, CIDRs and port specs contain no YAML indicator in a position that
 * would change their meaning; the port specs are quoted anyway, as users write them.
 */
export function toYaml(g: Generated): string {
  const out: string[] = [
    '# Generated by bench/generate.ts; do not edit.',
    'version: 1',
    'host:',
    `  name: ${HOST_NAME}`,
    '  resolv_conf: |',
    ...RESOLV_CONF.trimEnd().split('\n').map((l) => `    ${l}`),
    'networks:',
  ];
  for (const n of g.networks) {
    out.push(`  ${n.name}:`);
    if (n.ipv6) out.push('    enable_ipv6: true');
    out.push('    ipam:', '      config:', `        - subnet: ${n.subnet}`);
    if (n.subnet6) out.push(`        - subnet: "${n.subnet6}"`);
  }
  out.push('containers:');
  for (const c of g.containers) {
    out.push(`  ${c.name}:`, '    image: nginx', `    networks: [${c.networks.join(', ')}]`);
    if (c.ports.length > 0) {
      out.push('    ports:');
      for (const p of c.ports) out.push(`      - "${p}"`);
    }
  }
  return `${out.join('\n')}\n`;
}

export function toJson(g: Generated): string {
  return `${JSON.stringify(toDocument(g), null, 2)}\n`;
}
