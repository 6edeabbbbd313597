// The swarm-portmap scenario as firewall input, and an ingress sandbox with several services: shared by
// test/firewall-swarm.test.ts (the rules) and test/firewall-swarm.kernel.test.ts (the same in a kernel).
import type { FirewallDaemon, FirewallIngressService, FirewallInput, FirewallNetwork } from '../../src/firewall/input.ts';
import type { LoadBalancerSandbox } from '../../src/firewall/iptables/ingress-sandbox.ts';
import type { Engine } from '../../src/model/engine.ts';

export const daemon = (engine: Engine, over: Partial<FirewallDaemon> = {}): FirewallDaemon => ({
  engine,
  iptables: true,
  ip6tables: true,
  hairpin: false,
  allowDirectRouting: false,
  userChain: true,
  forwardDrop: { 4: false, 6: false },
  ...over,
});

const bridge = (name: string, ifName: string, prefix: string, icc: boolean): FirewallNetwork => ({
  name,
  ifName,
  internal: false,
  icc,
  masquerade: true,
  trustedHostInterfaces: [],
  v4: { prefix, gatewayMode: 'nat' },
});

/**
 * The swarm-portmap harness: dockerd with defaults (docker0 172.17.0.0/16), then swarm init creates
 * docker_gwbridge (172.18.0.0/16, icc off) and the ingress sandbox joins it at 172.18.0.2; the service's
 * task joins it at 172.18.0.3; the service publishes 8080 -> 80/tcp in ingress mode.
 */
export function swarmPortmap(
  d: FirewallDaemon,
  services: readonly FirewallIngressService[] = [{ name: 'svc', ports: [{ proto: 'tcp', publishedPort: 8080, targetPort: 80 }] }],
): FirewallInput {
  return {
    daemon: d,
    networks: [bridge('bridge', 'docker0', '172.17.0.0/16', true), bridge('docker_gwbridge', 'docker_gwbridge', '172.18.0.0/16', false)],
    endpoints: [
      { network: 'docker_gwbridge', container: 'ingress-sbox', addr4: '172.18.0.2', ports: [] },
      { network: 'docker_gwbridge', container: 'svc.1', addr4: '172.18.0.3', ports: [] },
    ],
    links: [],
    ingress: { gatewayNetwork: 'docker_gwbridge', sandboxIP: '172.18.0.2', services },
  };
}

/** Two services: web publishes tcp 8080 -> 80 and udp 5353 -> 53, api sctp 9000. */
export const twoServices: readonly FirewallIngressService[] = [
  {
    name: 'web',
    ports: [
      { proto: 'tcp' as const, publishedPort: 8080, targetPort: 80 },
      { proto: 'udp' as const, publishedPort: 5353, targetPort: 53 },
    ],
  },
  { name: 'api', ports: [{ proto: 'sctp' as const, publishedPort: 9000, targetPort: 9000 }] },
];

/** The ingress sandbox of a node with the services above: 10.0.0.2/24, VIPs 10.0.0.5 (web) and 10.0.0.9 (api). */
export const ingressSandbox: LoadBalancerSandbox = {
  address: '10.0.0.2/24',
  services: [
    { name: 'web', fwMark: 256, vip: '10.0.0.5', ports: twoServices[0]!.ports },
    { name: 'db-dnsrr', fwMark: 258, ports: [] },
    { name: 'api', fwMark: 259, vip: '10.0.0.9', ports: twoServices[1]!.ports },
  ],
};
