// Where each kind of allocation sits in the lock file (shape.ts has the whole layout). Keys are relative
// to a scope: a host's own allocations (['hosts', NAME]: its local networks, its dockerd's choices) or
// the swarm's (['swarm']: overlays, their VNIs and addresses, the routing mesh), as Docker splits them.
import type { Family } from '../net/index.ts';
import type { LockKey } from './types.ts';

const fam = (family: Family): string => (family === 4 ? 'ipv4' : 'ipv6');

export const hostScope = (host: string): LockKey => ['hosts', host];
export const SWARM_SCOPE: LockKey = ['swarm'];

/** A network's id (its bridge br-<id>, its overlay namespace 1-<id>, its dummy parent dm-<id>). */
export const networkIdKey = (network: string): LockKey => ['networks', network, 'id'];
/** The MAC of the network's bridge on this host (overlays: br0 in the overlay namespace). */
export const bridgeMacKey = (network: string): LockKey => ['networks', network, 'mac'];
export const vniKey = (network: string): LockKey => ['networks', network, 'vni'];
export const subnetKey = (network: string, family: Family): LockKey => ['networks', network, fam(family), 'subnet'];
export const gatewayKey = (network: string, family: Family): LockKey => ['networks', network, fam(family), 'gateway'];
export const addressKey = (network: string, container: string, family: Family): LockKey => ['networks', network, 'containers', container, fam(family)];
export const endpointMacKey = (network: string, container: string): LockKey => ['networks', network, 'containers', container, 'mac'];
/** A host port netform picked for a binding (`spec` in Docker's -p form: 0.0.0.0:8000-8010:80/tcp). */
export const hostPortKey = (owner: string, spec: string): LockKey => ['ports', owner, spec];
export const sandboxKey = (host: string, family: Family): LockKey => ['ingress_sandboxes', host, fam(family)];
export const vipKey = (service: string, network: string, family: Family): LockKey => ['vips', service, network, fam(family)];
