// The ports a legacy link opens: the child's exposed ports, `expose` plus every published container port,
// in the order the daemon hands them to the bridge driver (CreateOptionExposedPorts), which writes one
// pair of ACCEPT rules per port in that order.
import { engineRelease } from '../model/engine.ts';
import type { Container, Model, Protocol } from '../model/types.ts';

export interface ExposedPort {
  readonly proto: Protocol;
  readonly port: number;
}

interface Entry extends ExposedPort {
  /** The requested host port of one binding of the port, 0 when it has none (nat.PortBinding.HostPort). */
  readonly hostPort: number;
}

/** Each exposed port once, and one entry per published binding of it (a range: one per port). */
function entries(child: Container): Entry[] {
  const bound: Entry[] = [];
  for (const p of child.ports) {
    const count = p.containerPortEnd - p.containerPort + 1;
    const hostRange = p.hostPortEnd - p.hostPort + 1 === count;
    for (let k = 0; k < count; k++) bound.push({ proto: p.proto, port: p.containerPort + k, hostPort: p.hostPort === 0 ? 0 : hostRange ? p.hostPort + k : p.hostPort });
  }
  const exposed = new Map<string, ExposedPort>();
  for (const e of child.expose) exposed.set(`${e.port}/${e.proto}`, e);
  for (const b of bound) exposed.set(`${b.port}/${b.proto}`, b);
  // netform's canonical order stands in for the Go map the daemon ranges over.
  const ports = [...exposed.values()].sort((x, y) => x.port - y.port || x.proto.localeCompare(y.proto));
  return ports.flatMap((p) => {
    const own = bound.filter((b) => b.port === p.port && b.proto === p.proto);
    return own.length > 0 ? own : [{ proto: p.proto, port: p.port, hostPort: 0 }];
  });
}

/**
 * go-connections nat.SortPortMap, as buildCreateEndpointOptions (daemon/network.go, 20.10 to 28) calls it
 * on the exposed ports: Go's sort.Sort with Less(i, j) = hostPort(i) > hostPort(j) || port(i) > port(j) ||
 * (port(i) == port(j) && proto(i) == tcp), an insertion sort below 13 entries; then each port at its first
 * entry. Beyond 12 entries the consistent reading of that Less (render/firewall port-mapping.ts does the same).
 */
function sortPortMap(list: Entry[]): ExposedPort[] {
  const less = (x: Entry, y: Entry): boolean => x.hostPort > y.hostPort || x.port > y.port || (x.port === y.port && x.proto === 'tcp');
  if (list.length <= 12) {
    for (let i = 1; i < list.length; i++) {
      for (let j = i; j > 0 && less(list[j]!, list[j - 1]!); j--) [list[j], list[j - 1]] = [list[j - 1]!, list[j]!];
    }
  } else {
    list.sort((x, y) => y.hostPort - x.hostPort || y.port - x.port || (x.proto === 'tcp' ? -1 : y.proto === 'tcp' ? 1 : 0));
  }
  const seen = new Set<string>();
  return list.filter((e) => !seen.has(`${e.port}/${e.proto}`) && !!seen.add(`${e.port}/${e.proto}`)).map(({ proto, port }) => ({ proto, port }));
}

/** The child's exposed ports for a legacy link, in the order of the release (EngineRelease.linkPortOrder). */
export function linkPorts(m: Model, child: Container): ExposedPort[] {
  const list = entries(child);
  if (engineRelease(m.engine).linkPortOrder === 'sort-port-map') return sortPortMap(list);
  const seen = new Set<string>();
  return list.filter((e) => !seen.has(`${e.port}/${e.proto}`) && !!seen.add(`${e.port}/${e.proto}`)).map(({ proto, port }) => ({ proto, port }));
}
