// What a host's sysctls decide for the tracer (forwarding per family, br_netfilter, route_localnet,
// interfaces without IPv6), and the host's firewall as base chains: iptables rulesets, or Docker's nft
// tables with the iptables rules an nftables build keeps. A setting the topology does not fix is left
// to the world (see TraceWorld.facts).
import type { Sysctl, Topology } from '../topology/types.ts';
import type { Ns, Setting } from './fabric.ts';
import { iptablesFirewall } from './iptables.ts';
import { mergeFirewalls, type Firewall } from './netfilter.ts';
import { nftablesFirewall } from './nftables.ts';

const key = (s: Sysctl) => s.key.join('.');

/** Applies the host's sysctls to its namespace; returns the interfaces whose IPv6 is disabled. */
export function applySysctls(ns: Ns, t: Topology): Set<string> {
  const noIPv6 = new Set<string>();
  const fixed = new Map<string, boolean>();
  const apply = (s: Sysctl): void => {
    const on = s.value === '1';
    // A per-interface setting (net.ipv{4,6}.conf.IFACE.NAME) is told by its last part: no key text to build.
    if (s.key.length === 5 && s.key[4] === 'route_localnet') {
      if (on) ns.routeLocalnet.add(s.key[3]!);
      return;
    }
    if (s.key.length === 5 && s.key[4] === 'disable_ipv6') {
      if (on) noIPv6.add(s.key[3]!);
      return;
    }
    if (s.key.length === 5 && s.key[3] !== 'all') return;
    const k = key(s);
    if (k === 'net.ipv4.ip_forward' || k === 'net.ipv6.conf.all.forwarding' || k === 'net.bridge.bridge-nf-call-iptables' || k === 'net.bridge.bridge-nf-call-ip6tables') fixed.set(k, on);
  };
  for (const s of t.hostSysctls) apply(s);
  for (const b of t.bridges) for (const s of b.sysctls) apply(s);
  const setting = (k: string, fact: Setting): Setting => fixed.get(k) ?? fact;
  ns.forward = { 4: setting('net.ipv4.ip_forward', 'forward4'), 6: setting('net.ipv6.conf.all.forwarding', 'forward6') };
  ns.brNetfilter = { 4: setting('net.bridge.bridge-nf-call-iptables', 'brNetfilter'), 6: setting('net.bridge.bridge-nf-call-ip6tables', 'brNetfilter') };
  return noIPv6;
}

export function hostFirewall(t: Topology): Firewall | undefined {
  const fw = t.firewall;
  if (fw.backend === 'iptables') return fw.v4 || fw.v6 ? iptablesFirewall(fw.v4, fw.v6) : undefined;
  if (fw.backend === 'nftables') {
    // Docker's nft tables, and the iptables rules the build keeps beside them, at their priorities.
    const kept = fw.iptables?.v4 || fw.iptables?.v6 ? [iptablesFirewall(fw.iptables.v4, fw.iptables.v6)] : [];
    const all = [...kept, ...(fw.tables.length > 0 ? [nftablesFirewall(fw.tables)] : [])];
    return all.length > 0 ? mergeFirewalls(all) : undefined;
  }
  return undefined;
}
