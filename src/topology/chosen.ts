// The names and MACs Docker makes at random, for one host's topology: the ones the lock pins, else
// derived from the names the user wrote (derived-names.ts), each recorded for the lock. A network's id
// is the swarm's for an overlay (one id for the whole cluster) and the host's for a local network, as
// Docker keeps them; so are its endpoints' MACs.
import { error, type Diagnostic, type YamlPath } from '../diagnostics/diagnostic.ts';
import { bridgeMacKey, endpointMacKey, networkIdKey, NO_LOCK, type LockKey, type LockScope } from '../lock/index.ts';
import type { LocalNetwork, Network } from '../model/types.ts';
import { bridgeName, derivedNetworkId } from './derived-names.ts';

/** The lock as a host's topology sees it: the host's own allocations and the swarm's. */
export interface TopologyLock {
  readonly host: LockScope;
  readonly swarm: LockScope;
}

export const NO_TOPOLOGY_LOCK: TopologyLock = { host: NO_LOCK, swarm: NO_LOCK };

/** The value the lock pins at `key`, else `derive()`; recorded either way. */
export function pick(scope: LockScope, key: LockKey, origin: YamlPath, derive: () => string): string {
  const value = scope.pinned(key)?.value;
  const chosen = typeof value === 'string' ? value : derive();
  scope.chose(key, chosen, origin);
  return chosen;
}

export class ChosenNames {
  private readonly ids = new Map<string, string>();
  private readonly idOwner = new Map<string, string>();

  constructor(
    readonly lock: TopologyLock,
    private readonly diagnostics: Diagnostic[],
  ) {}

  /** Where a network's own allocations are kept: the swarm's scope for overlays. */
  scopeOf(n: Network): LockScope {
    return n.driver === 'overlay' ? this.lock.swarm : this.lock.host;
  }

  /** The network's id: the lock's, else derived from its name. Two networks never share one. */
  networkId(n: Network): string {
    const known = this.ids.get(n.name);
    if (known !== undefined) return known;
    const scope = this.scopeOf(n);
    const pinned = scope.pinned(networkIdKey(n.name));
    const id = pinned ? String(pinned.value) : derivedNetworkId(n.name);
    const owner = this.idOwner.get(id);
    if (owner !== undefined && pinned) {
      this.diagnostics.push(error('LOCK_CONFLICT', n.path, `${scope.where(pinned)} gives network "${n.name}" the id ${id}, which network "${owner}" has (their bridges would have one name): delete networks.${n.name}.id from the lock to let netform derive another`, { atKey: true }));
    }
    this.idOwner.set(id, n.name);
    this.ids.set(n.name, id);
    scope.chose(networkIdKey(n.name), id, n.path);
    return id;
  }

  /** The host device of a local network: the bridge name the input gives, else br-<id>. */
  deviceName(n: LocalNetwork): string {
    return (n.driver === 'bridge' ? n.bridgeName : undefined) ?? bridgeName(this.networkId(n));
  }

  /** The MAC of a network's bridge on this host (an overlay's: br0 in its namespace). */
  bridgeMac(n: Network, derive: () => string): string {
    return pick(this.lock.host, bridgeMacKey(n.name), n.path, derive);
  }

  /** A MAC Docker would make at random for `container`'s endpoint on `n`. */
  endpointMac(n: Network, container: string, origin: YamlPath, derive: () => string): string {
    return pick(this.scopeOf(n), endpointMacKey(n.name, container), origin, derive);
  }
}
