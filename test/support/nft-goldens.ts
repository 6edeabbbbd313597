// moby's nftabler unit test (TestNftabler, Docker 29) as FirewallInputs: each golden's file name gives
// the parameters (test/fixtures/moby/README.md), nftabler_test.go testNftabler the rest: bridge
// br-dummy, 192.168.0.0/24 and fd49:efd7:54aa::/64, endpoint 192.168.0.2 / fd49:efd7:54aa::1, tcp 80
// published on 8080 (host 0.0.0.0 / ::, or 127.0.0.1 / ::1 with bindlh), the firewaller alone.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { FirewallInput, GatewayMode } from '../../src/firewall/input.ts';
import { REPO } from './examples.ts';

export const NFT_GOLDENS = path.join(REPO, 'test', 'fixtures', 'moby', 'nftables');

export const nftGoldenFiles = (): string[] => readdirSync(NFT_GOLDENS).filter((f) => f.endsWith('.golden')).sort();

/** One parameter combination of the unit test. */
export interface Params {
  readonly cleaned: boolean;
  readonly hairpin: boolean;
  readonly internal: boolean;
  readonly icc: boolean;
  readonly masq: boolean;
  readonly snat: boolean;
  readonly gwm: GatewayMode;
  readonly bindlh: boolean;
  readonly family: 4 | 6;
}

/** "hairpin=true,internal=false,...__ip6.golden" -> every parameter combination the file stands for. */
export function nftGoldenParams(file: string): Params[] {
  const m = /^(.*)__(ip|ip6)\.golden$/.exec(file);
  if (!m) throw new Error(`unexpected golden file name ${file}`);
  const kv = new Map<string, string>();
  let cleaned = false;
  for (const part of m[1]!.split(',')) {
    if (part === 'cleaned') cleaned = true;
    else kv.set(...(part.split('=') as [string, string]));
  }
  const bool = (k: string, def: boolean): boolean => (kv.has(k) ? kv.get(k) === 'true' : def);
  const p: Params = {
    cleaned,
    hairpin: bool('hairpin', false),
    internal: bool('internal', false),
    icc: bool('icc', true),
    masq: bool('masq', true),
    snat: bool('snat', false),
    gwm: (kv.get('gwm') ?? 'nat') as GatewayMode,
    bindlh: bool('bindlh', false),
    family: m[2] === 'ip' ? 4 : 6,
  };
  if (!p.internal) return [p];
  // moby shares one file between all port and NAT parameters of an internal network.
  const combos: Params[] = [];
  for (const masq of [false, true])
    for (const snat of [false, true])
      for (const gwm of ['nat', 'nat-unprotected', 'routed'] as const) for (const bindlh of [false, true]) combos.push({ ...p, masq, snat, gwm, bindlh });
  return combos;
}

/** nftabler_test.go testNftabler as a FirewallInput: the firewaller alone. */
export function nftGoldenInput(p: Params): FirewallInput {
  return {
    daemon: { iptables: true, ip6tables: true, hairpin: p.hairpin, allowDirectRouting: false, userChain: false, forwardDrop: { 4: false, 6: false } },
    networks: p.cleaned
      ? []
      : [
          {
            name: 'dummy',
            ifName: 'br-dummy',
            internal: p.internal,
            icc: p.icc,
            masquerade: p.masq,
            trustedHostInterfaces: [],
            v4: { prefix: '192.168.0.0/24', gatewayMode: p.gwm, ...(p.snat ? { hostIP: '192.168.123.0' } : {}) },
            v6: { prefix: 'fd49:efd7:54aa::/64', gatewayMode: p.gwm, ...(p.snat ? { hostIP: 'fd34:d0d4:672f::123' } : {}) },
          },
        ],
    endpoints: p.cleaned
      ? []
      : [
          {
            network: 'dummy',
            container: 'c1',
            addr4: '192.168.0.2',
            addr6: 'fd49:efd7:54aa::1',
            ports: [
              { proto: 'tcp', hostIP: p.bindlh ? '127.0.0.1' : '0.0.0.0', hostPort: 8080, containerPort: 80 },
              { proto: 'tcp', hostIP: p.bindlh ? '::1' : '::', hostPort: 8080, containerPort: 80 },
            ],
          },
        ],
    links: [],
    firewallerOnly: true,
  };
}

