// The iptables rules of encrypted overlays (daemon/libnetwork/drivers/overlay/encryption.go, Docker 29:
// programOverlayEncryptionFirewall -> programMangle, then programInput), per VNI of each encrypted
// network's subnets, programmed when the host's sandbox of that subnet is created (ov_network.go
// initSubnetSandbox, i.e. when the first local endpoint joins). With matchVXLAN (bpf.go) =
// `-p udp --dport <data path port> -m bpf --bytecode <vniMatchBPF(vni)>`:
//
//   mangle: iptables -A OUTPUT <matchVXLAN> -j MARK --set-mark 13681891
//           outgoing VXLAN of the VNI gets the mark the xfrm OUT policy selects (xfrm.ts)
//   filter: iptables -I INPUT -m policy --dir in --pol none <matchVXLAN> -j DROP
//           incoming VXLAN of the VNI that was not decrypted by IPsec is dropped; inserted at the head
//           "so the packets are dropped even if an administrator-configured rule exists which would
//           otherwise unconditionally accept incoming VXLAN traffic"
//
// Both through iptable.ProgramRule, which checks with -C first (RulesetBuilder.append / insert). The
// table family is the transport's (transportIPTable: ip6tables when the advertise address is IPv6),
// so call this with the builder of the underlay's family. The rules are kept in the form iptables-save
// prints them (checked against the kernel in test/overlay-encryption.test.ts):
//
//   -A OUTPUT -p udp -m udp --dport 4789 -m bpf --bytecode "7,32 0 0 4294963252,..." -j MARK --set-xmark 0xd0c4e3/0xffffffff
//   -A INPUT -p udp -m policy --dir in --pol none -m udp --dport 4789 -m bpf --bytecode "7,32 0 0 ..." -j DROP
//
// The bytecode value holds blanks: a renderer must quote it (iptables-save prints it in double quotes).
// With the nftables firewall backend Docker 29 uses a docker-overlay nft table instead
// (encryption_nft_linux.go); that is not modelled here.
import { DEFAULT_DATA_PATH_PORT, OVERLAY_MARK, OVERLAY_MARK_MASK } from '../../model/overlay-driver.ts';
import type { MatchModule, RuleTarget, SourcePath } from '../types.ts';
import { makeRule, type RulesetBuilder } from './ruleset-builder.ts';
import type { Rule } from './types.ts';

/** An encrypted VNI, and the YAML element it exists for (the network), when known. */
export interface EncryptedVni {
  readonly vni: number;
  readonly origin?: SourcePath;
}

const bpfMatch = (vni: number): MatchModule => ({ kind: 'bpf', vxlanVni: vni });

const policyNone: MatchModule = { kind: 'policy', dir: 'in', pol: 'none' };

/** `--set-mark 13681891` as libxt_MARK saves it: `--set-xmark 0xd0c4e3/0xffffffff`. */
const setMark: RuleTarget = { kind: 'set-mark', mark: OVERLAY_MARK, mask: OVERLAY_MARK_MASK };

const vxlanPort = (port: number): MatchModule => ({ kind: 'udp', dport: port });

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`encryption rules: ${port} is not a port number`);
}

/** programMangle's rule: mangle OUTPUT, MARK outgoing VXLAN of `vni`. */
export function encryptionMarkRule(vni: number, dataPathPort = DEFAULT_DATA_PATH_PORT, origin?: SourcePath): Rule {
  checkPort(dataPathPort);
  return makeRule(
    'mangle',
    'OUTPUT',
    { protocol: { name: 'udp' }, modules: [vxlanPort(dataPathPort), bpfMatch(vni)] },
    setMark,
    origin,
  );
}

/** programInput's rule: filter INPUT, DROP incoming VXLAN of `vni` that IPsec did not decrypt. */
export function encryptionDropRule(vni: number, dataPathPort = DEFAULT_DATA_PATH_PORT, origin?: SourcePath): Rule {
  checkPort(dataPathPort);
  return makeRule(
    'filter',
    'INPUT',
    { protocol: { name: 'udp' }, modules: [policyNone, vxlanPort(dataPathPort), bpfMatch(vni)] },
    { kind: 'drop' },
    origin,
  );
}

/**
 * Adds Docker's rules for each encrypted VNI, in order: per VNI the mangle rule is appended, then the
 * filter rule inserted at the head of INPUT (so with several VNIs the last one's DROP comes first, and
 * every DROP sits above any INPUT rule added before this call). A VNI already programmed is a no-op.
 */
export function addEncryptionRules(
  rs: RulesetBuilder,
  vnis: readonly (number | EncryptedVni)[],
  dataPathPort: number = DEFAULT_DATA_PATH_PORT,
): void {
  for (const v of vnis) {
    const { vni, origin } = typeof v === 'number' ? { vni: v, origin: undefined } : v;
    rs.append(encryptionMarkRule(vni, dataPathPort, origin));
    rs.insert(encryptionDropRule(vni, dataPathPort, origin));
  }
}
