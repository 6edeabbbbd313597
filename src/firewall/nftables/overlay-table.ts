// The overlay driver's encryption rules under the nftables backend (daemon/libnetwork/drivers/overlay/
// encryption_nft_linux.go, Docker 29.6 and later; encryption.go programOverlayEncryptionFirewall picks
// it whenever nftables is enabled, i.e. firewall-backend nftables, whatever the iptables option): a
// `docker-overlay` table in the underlay's family with a set of encrypted VNIs, created with the first
// encrypted VNI (ensureOverlayEncNftTable), then one element per VNI (programOverlayEncVNINft):
//   enc-out (route, output, mangle): VXLAN of an encrypted VNI gets the mark the xfrm policy selects;
//   enc-in (filter, input, raw): VXLAN of an encrypted VNI that IPsec did not decrypt is dropped.
// moby writes `meta secpath missing` (the older name, for old nft); nft lists it as `meta ipsec missing`.
import { OVERLAY_MARK, OVERLAY_MARK_MASK } from '../../model/overlay-driver.ts';
import type { FirewallInput } from '../input.ts';
import { PRIORITY } from './daemon-table.ts';
import { NftTableBuilder } from './table-builder.ts';
import type { NftTable } from './types.ts';

export const OVERLAY_TABLE = 'docker-overlay';
export const ENC_OUT_CHAIN = 'enc-out';
export const ENC_IN_CHAIN = 'enc-in';
export const ENC_VNI_SET = 'encrypted-vnis';

/** The table, or undefined when no encrypted overlay has an endpoint on this host. */
export function overlayEncryptionTable(encryption: FirewallInput['encryption']): NftTable | undefined {
  if (!encryption || encryption.vnis.length === 0) return undefined;
  const { dataPathPort } = encryption;
  if (!Number.isInteger(dataPathPort) || dataPathPort < 1 || dataPathPort > 65535) {
    throw new RangeError(`overlay encryption: ${dataPathPort} is not a port number`);
  }
  const t = new NftTableBuilder(encryption.family, OVERLAY_TABLE);
  const vxlan = [{ kind: 'udp', dport: dataPathPort }, { kind: 'vxlan-vni-in-set', set: ENC_VNI_SET }] as const;
  t.apply((tx) => {
    tx.vniSet(ENC_VNI_SET);
    tx.baseChain(ENC_OUT_CHAIN, { type: 'route', hook: 'output', priority: PRIORITY.mangle, policy: 'accept' });
    tx.baseChain(ENC_IN_CHAIN, { type: 'filter', hook: 'input', priority: PRIORITY.raw, policy: 'accept' });
    tx.rule(ENC_OUT_CHAIN, 0, { matches: vxlan, counter: true, action: { kind: 'set-mark', mark: OVERLAY_MARK, mask: OVERLAY_MARK_MASK } });
    tx.rule(ENC_IN_CHAIN, 0, { matches: [{ kind: 'policy', dir: 'in', pol: 'none' }, ...vxlan], counter: true, action: { kind: 'drop' } });
  });
  for (const { vni, origin } of encryption.vnis) t.apply((tx) => tx.vni(ENC_VNI_SET, vni & 0xffffff, origin));
  return t.build();
}
