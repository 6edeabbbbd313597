// Kernel features an example's setup needs, and whether this kernel has them. Each feature is tried
// for real once per run in a scratch namespace (creating the link, adding the SA): module lists and
// /proc files say little when modules cannot be loaded. An example that needs a missing feature is
// not applied at all; the suite reports it as SKIPPED with the reason.
import type { Topology } from '../../../src/topology/types.ts';
import { run, tool } from './exec.ts';
import { addNetns, delNetns, RUN_PREFIX } from './namespaces.ts';

export type KernelFeature = 'veth' | 'bridge' | 'vxlan' | 'macvlan' | 'ipvlan' | '802.1q' | 'dummy' | 'xfrm-aes-gcm';

const DESCRIPTION: Record<KernelFeature, string> = {
  veth: 'veth pairs',
  bridge: 'bridges',
  vxlan: 'VXLAN (overlay networks)',
  macvlan: 'macvlan',
  ipvlan: 'ipvlan',
  '802.1q': '802.1Q VLAN links (VLAN parents)',
  dummy: 'dummy links (parentless macvlan/ipvlan)',
  'xfrm-aes-gcm': 'AES-GCM for xfrm (encrypted overlays)',
};

/** The features setup.sh of these hosts uses (the sandbox itself needs veth and bridge). */
export function requiredFeatures(topologies: readonly Topology[]): KernelFeature[] {
  const need = new Set<KernelFeature>(['veth', 'bridge']);
  for (const t of topologies) {
    if (t.overlays?.length) need.add('vxlan');
    if (t.overlays?.some((o) => o.encrypted)) need.add('xfrm-aes-gcm');
    for (const e of t.endpoints) if (e.attachment?.kind === 'macvlan' || e.attachment?.kind === 'ipvlan') need.add(e.attachment.kind);
    for (const p of t.parentLinks ?? []) need.add(p.kind === 'vlan' ? '802.1q' : 'dummy');
  }
  return [...need];
}

/** How each feature is tried, as `ip` argument lists run in order in the scratch namespace. */
const TRIALS: Record<KernelFeature, readonly (readonly string[])[]> = {
  veth: [['link', 'add', 'nfk-veth0', 'type', 'veth', 'peer', 'name', 'nfk-veth1']],
  bridge: [['link', 'add', 'nfk-br', 'type', 'bridge']],
  vxlan: [['link', 'add', 'nfk-vx', 'type', 'vxlan', 'id', '42', 'local', '192.0.2.1', 'dstport', '4789']],
  macvlan: [
    ['link', 'add', 'nfk-mvp', 'type', 'veth', 'peer', 'name', 'nfk-mvq'],
    ['link', 'add', 'link', 'nfk-mvp', 'name', 'nfk-mv', 'type', 'macvlan', 'mode', 'bridge'],
  ],
  ipvlan: [
    ['link', 'add', 'nfk-ivp', 'type', 'veth', 'peer', 'name', 'nfk-ivq'],
    ['link', 'add', 'link', 'nfk-ivp', 'name', 'nfk-iv', 'type', 'ipvlan', 'mode', 'l2'],
  ],
  '802.1q': [
    ['link', 'add', 'nfk-vlp', 'type', 'veth', 'peer', 'name', 'nfk-vlq'],
    ['link', 'add', 'link', 'nfk-vlp', 'name', 'nfk-vlp.50', 'type', 'vlan', 'id', '50'],
  ],
  dummy: [['link', 'add', 'nfk-dm', 'type', 'dummy']],
  // What an encrypted overlay's SAs use: rfc4106(gcm(aes)) with a 64-bit ICV, 16-byte key + 4-byte salt.
  'xfrm-aes-gcm': [['xfrm', 'state', 'add', 'src', '192.0.2.1', 'dst', '192.0.2.2', 'proto', 'esp', 'spi', '0x100', 'reqid', '1', 'mode', 'transport', 'aead', 'rfc4106(gcm(aes))', '0x000102030405060708090a0b0c0d0e0f10111213', '64']],
};

let detected: ReadonlyMap<KernelFeature, string | undefined> | undefined;

/**
 * Tries every feature once (per process) in a scratch namespace; maps each to undefined when it works,
 * or to the error the kernel gave. Needs root and `ip` (callers check netnsUnavailable() first).
 */
export function kernelFeatures(): ReadonlyMap<KernelFeature, string | undefined> {
  if (detected) return detected;
  const ip = tool('ip');
  const ns = `${RUN_PREFIX}kernel`;
  addNetns(ns);
  const out = new Map<KernelFeature, string | undefined>();
  try {
    for (const [feature, steps] of Object.entries(TRIALS) as [KernelFeature, readonly (readonly string[])[]][]) {
      let error: string | undefined;
      for (const args of steps) {
        const r = run(ip, ['-n', ns, ...args]);
        if (r.status !== 0) {
          error = `ip ${args.slice(0, 2).join(' ')} ...: ${r.stderr.trim() || `exit ${r.status}`}`;
          break;
        }
      }
      out.set(feature, error);
    }
  } finally {
    delNetns(ns);
  }
  detected = out;
  return out;
}

/** Why this kernel cannot run an example needing `features`, or undefined when it can. */
export function missingFeatures(features: readonly KernelFeature[], have: ReadonlyMap<KernelFeature, string | undefined> = kernelFeatures()): string | undefined {
  const missing = features.filter((f) => have.get(f) !== undefined);
  if (!missing.length) return undefined;
  return `this kernel has no ${missing.map((f) => `${DESCRIPTION[f]} [${have.get(f)}]`).join('; no ')}`;
}
