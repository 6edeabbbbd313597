// What the kernel or dockerd would refuse when the set-up runs, checked before anything is written so
// that a file that passes validate also loads: a container joining one network twice, a multicast IPv6
// subnet, a name too long to be a file or namespace name.
import { error, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { parseCIDR } from '../net/index.ts';
import { isDefaultBridge } from './network-types.ts';
import type { Model } from './types.ts';

/** NAME_MAX: a container's files live in a folder named after it, and its namespace in /run/netns/NAME. */
const NAME_MAX = 255;

/** ff00::/8: no interface may carry an address from it. */
const isMulticast6 = (cidr: string): boolean => {
  const p = parseCIDR(cidr);
  return !!p && p.family === 6 && p.address >> 120n === 0xffn;
};

/**
 * A container that joins the same network twice: dockerd refuses the second endpoint ("endpoint with
 * name C already exists in network N", libnetwork network.go createEndpoint) and the kernel a second
 * link of the same name in the namespace.
 */
function duplicateNetworks(m: Model, out: Diagnostic[]): void {
  for (const c of m.containers) {
    const seen = new Set<string>();
    for (const e of c.endpoints) {
      if (seen.has(e.network)) {
        out.push(error('DUPLICATE_NETWORK', e.path, `container "${c.name}" joins network "${e.network}" twice (dockerd: endpoint with name ${c.name} already exists in network ${e.network})`));
      }
      seen.add(e.network);
    }
  }
}

/**
 * An IPv6 subnet in ff00::/8. Docker 27 and later refuse it (libnetwork drivers/bridge validateIPv6Subnet,
 * "multicast subnet '...' is not allowed"); earlier releases pass it to the kernel, which refuses the
 * bridge's address, and the network is not created either way.
 */
function multicastSubnets(m: Model, out: Diagnostic[]): void {
  for (const n of m.networks) {
    const dflt = isDefaultBridge(n);
    const f = dflt && m.daemon.file ? { file: m.daemon.file } : {};
    for (const entry of n.ipamV6) {
      const cidr = entry.subnet ?? entry.ipRange;
      if (!cidr || !isMulticast6(cidr)) continue;
      const path = dflt ? entry.path : [...entry.path, 'subnet'];
      out.push(error('BAD_PREFIX', path, `multicast subnet '${cidr}' is not allowed (dockerd 27+: validateIPv6Subnet; the kernel refuses such an address on the bridge)`, f));
    }
  }
  const pools = m.daemon.defaultAddressPools ?? [];
  const at = m.daemon.paths['default-address-pools'];
  pools.forEach((pool, i) => {
    if (at && isMulticast6(pool.base)) {
      const f = m.daemon.file ? { file: m.daemon.file } : {};
      out.push(error('BAD_PREFIX', [...at, i, 'base'], `multicast pool '${pool.base}': a network given a subnet from it would not be created (dockerd 27+: validateIPv6Subnet)`, f));
    }
  });
}

function longNames(m: Model, out: Diagnostic[]): void {
  for (const c of m.containers) {
    const bytes = Buffer.byteLength(c.name);
    if (bytes > NAME_MAX) {
      out.push(error('BAD_NAME', c.path, `container name of ${bytes} bytes: its folder and its namespace (/run/netns/NAME) need a file name of at most ${NAME_MAX}`, { atKey: true }));
    }
  }
}

export function checkLoadable(m: Model): Diagnostic[] {
  const out: Diagnostic[] = [];
  duplicateNetworks(m, out);
  multicastSubnets(m, out);
  longNames(m, out);
  return out;
}
