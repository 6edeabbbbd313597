// Published ports (daemon/libnetwork/drivers/bridge/internal/nftabler/port.go AddPorts -> modPorts ->
// setPerPortRules, Docker 29), one transaction per family for the bindings the bridge driver hands
// over together: the filter ACCEPT of the container's port (unless the gateway mode is
// nat-unprotected), the DNAT from the host port, with the userland proxy off the masquerade of a
// container reaching its own published port, and the drop of remote packets to a port bound to an
// IPv4 loopback address.
import { familyOf, inetAddr, inetCidr, isLoopback, isUnspecified, mustParseAddr } from '../../net/index.ts';
import type { FirewallDaemon, FirewallNetwork } from '../input.ts';
import type { FirewallerPortBinding } from '../port-mapping.ts';
import type { FirewallRefusal } from '../backend.ts';
import type { SourcePath } from '../types.ts';
import { fwdInChain, GROUP, NAT_CHAIN, natPostRtInChain, RAW_PREROUTING_CHAIN } from './daemon-table.ts';
import type { NftTableBuilder, NftTransaction } from './table-builder.ts';
import type { NftMatch, NftRule } from './types.ts';


const withOrigin = (r: Omit<NftRule, 'origin'>, origin: SourcePath | undefined): NftRule => (origin ? { ...r, origin } : r);

/**
 * Programs the bindings whose container address is of the table's family; returns what dockerd
 * refuses (the whole transaction then fails, and the container does not start).
 */
export function addPorts(t: NftTableBuilder, daemon: FirewallDaemon, net: FirewallNetwork, bindings: readonly FirewallerPortBinding[]): FirewallRefusal[] {
  const conf = t.family === 4 ? net.v4 : net.v6;
  if (net.internal || !conf) return [];
  const pbs = bindings.filter((b) => familyOf(b.containerIP) === t.family);
  if (pbs.length === 0) return [];
  const refused: FirewallRefusal[] = [];
  t.apply((tx) => {
    if (conf.gatewayMode !== 'nat-unprotected') forwarding(tx, net, pbs);
    dnat(tx, t.family, daemon, net, pbs);
    if (daemon.hairpin) refused.push(...hairpinMasquerade(tx, net, pbs));
    if (t.family === 4) loopbackDrops(tx, pbs);
  });
  return refused;
}

/** setPerPortForwarding: `ip daddr C tcp dport P counter accept`, once per container port (IgnoreExist). */
function forwarding(tx: NftTransaction, net: FirewallNetwork, pbs: readonly FirewallerPortBinding[]): void {
  for (const b of pbs) {
    const r = { matches: [dst(b.containerIP), { kind: b.proto, dport: b.containerPort } as const], counter: true, action: { kind: 'accept' } } as const;
    tx.rule(fwdInChain(net.ifName), GROUP.fwdInPorts, withOrigin(r, b.origin), true);
  }
}

const dst = (ip: string): NftMatch => ({ kind: 'destination', address: { cidr: inetCidr(ip) } });

/** NAT is possible only when host and container address are of one family (else docker-proxy maps it). */
const natted = (b: FirewallerPortBinding): boolean => b.hostPort !== 0 && familyOf(b.hostIP) === familyOf(b.containerIP);

/** setPerPortDNAT: nothing when NAT is disabled (host port 0: the routed mapper). */
function dnat(tx: NftTransaction, family: 4 | 6, daemon: FirewallDaemon, net: FirewallNetwork, pbs: readonly FirewallerPortBinding[]): void {
  for (const b of pbs) {
    if (!natted(b)) continue;
    const matches: NftMatch[] = [];
    // With the userland proxy on, packets from the bridge itself are docker-proxy's.
    if (!daemon.hairpin) matches.push({ kind: 'in', iface: { name: net.ifName, negate: true } });
    if (family === 6) matches.push({ kind: 'source', address: { cidr: 'fe80::/10', negate: true } });
    if (!isUnspecified(mustParseAddr(b.hostIP))) matches.push(dst(b.hostIP));
    matches.push({ kind: b.proto, dport: b.hostPort });
    const r = { matches, counter: true, action: { kind: 'dnat', toAddress: inetAddr(b.containerIP), toPort: b.containerPort }, comment: 'DNAT' } as const;
    tx.rule(NAT_CHAIN, GROUP.initial, withOrigin(r, b.origin));
  }
}

/**
 * setPerPortHairpinMasq: a container reaching its own published port through the host is masqueraded.
 * moby adds it without IgnoreExist, so a second host port for the same container port makes the same
 * rule and dockerd refuses the binding ("rule exists").
 */
function hairpinMasquerade(tx: NftTransaction, net: FirewallNetwork, pbs: readonly FirewallerPortBinding[]): FirewallRefusal[] {
  const refused: FirewallRefusal[] = [];
  for (const b of pbs) {
    if (!natted(b)) continue;
    const own = { cidr: inetCidr(b.containerIP) };
    const r = {
      matches: [{ kind: 'source', address: own }, { kind: 'destination', address: own }, { kind: b.proto, dport: b.containerPort }],
      counter: true,
      action: { kind: 'masquerade' },
      comment: 'MASQ TO OWN PORT',
    } as const;
    if (!tx.rule(natPostRtInChain(net.ifName), GROUP.initial, withOrigin(r, b.origin))) {
      refused.push({
        ...(b.origin ? { origin: b.origin } : {}),
        message: `Docker 29's nftables backend refuses a second host port for ${b.proto} port ${b.containerPort} of ${inetAddr(b.containerIP)} with userland-proxy off: its "MASQ TO OWN PORT" rule already exists (nftabler port.go setPerPortHairpinMasq), so the container would not start`,
      });
    }
  }
  return refused;
}

/** filterPortMappedOnLoopback: IPv4 only (the IPv6 loopback is not routable), only with a host port. */
function loopbackDrops(tx: NftTransaction, pbs: readonly FirewallerPortBinding[]): void {
  for (const b of pbs) {
    if (b.hostPort === 0 || !isLoopback(mustParseAddr(b.hostIP)) || familyOf(b.hostIP) !== 4) continue;
    const r = {
      matches: [{ kind: 'in', iface: { name: 'lo', negate: true } }, dst(b.hostIP), { kind: b.proto, dport: b.hostPort }],
      counter: true,
      action: { kind: 'drop' },
      comment: 'DROP REMOTE LOOPBACK',
    } as const;
    tx.rule(RAW_PREROUTING_CHAIN, GROUP.rawPreroutingPorts, withOrigin(r, b.origin));
  }
}
