// Connections by container name: a TCP client in one container's namespace connects to another
// container by its name, resolved the way a program in the container resolves it (getaddrinfo reading
// the /etc/hosts that `ip netns exec` mounts from /etc/netns/<namespace>/), and the server reports
// which address the connection came from. Used where a matrix's probes (which take addresses) are not
// enough: "across the overlay by name".
import { randomBytes } from 'node:crypto';
import type { Agents } from '../e2e/harness/agent-process.ts';
import { addressOf, namespaceOf, type World } from '../e2e/harness/world.ts';

export interface ByName {
  /** The client container, the name it connects to (a container's), the overlay network, the port. */
  readonly from: string;
  readonly to: string;
  readonly network: string;
  readonly port: number;
}

/** Starts a TCP server labelled with its container's name in each container of `to`. */
export async function serveByName(agents: Agents, world: World, containers: readonly string[], port: number): Promise<void> {
  for (const c of containers) {
    const r = await (await agents.get(namespaceOf(world, c))).request({ op: 'listen', label: c, proto: 'tcp', port });
    if (!r.ok) throw new Error(`server ${c} tcp/${port}: ${r.error}`);
  }
}

/**
 * Each connection by name that did not reach the named container from the client's own address on the
 * network (no NAT on an overlay), as `from -> to: why` lines.
 */
export async function failedByName(agents: Agents, world: World, probes: readonly ByName[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of probes) {
    const r = await (await agents.get(namespaceOf(world, p.from))).request({ op: 'probe', proto: 'tcp', host: p.to, port: p.port, token: randomBytes(6).toString('hex'), timeoutMs: 3000 });
    const source = addressOf(world, `${p.from}@${p.network}`, 4);
    if (!r.ok) out.push(`${p.from} -> ${p.to}:${p.port}: ${r.error}`);
    else if (r.answer?.server !== p.to || r.answer.peer !== source) out.push(`${p.from} -> ${p.to}:${p.port}: answered by ${r.answer?.server} seeing ${r.answer?.peer} (want ${p.to} seeing ${source})`);
  }
  return out;
}
