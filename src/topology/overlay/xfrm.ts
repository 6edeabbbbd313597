// The IPsec state Docker programs for encrypted overlays, as data: per pair of hosts, ESP transport-mode
// SAs and one OUT policy (daemon/libnetwork/drivers/overlay/encryption.go, Docker 29). Rendering to
// `ip xfrm` lines is src/render/xfrm's job; nothing here is ip syntax.
//
// What the driver does, and what this module reproduces:
// - setupEncryption(remoteIP), called once per remote VTEP that carries an endpoint of an encrypted
//   network this host has joined (peerdb.go addNeighbor; refcounted per remote address, so the SAs
//   are per host pair, not per network). For each key i of the driver's list (index 0 = primary):
//     spis  = {forward: buildSPI(adv, remote, tag_i), reverse: buildSPI(remote, adv, tag_i)}
//     programSA(local, remote, spis, key_i, i == 0 ? bidir : reverse)  -> rSA (remote->local), then
//                                                                           fSA (local->remote) if bidir
//     i == 0: programSP(fSA, rSA)                                        -> the OUT policy
// - programSA: XfrmState{Src, Dst, Proto: ESP, Spi, Mode: TRANSPORT, Reqid: mark,
//   Aead: buildAeadAlgo(key, spi)}; no mark, no selector, no replay window (the netlink library and
//   `ip xfrm state add` both send a zero selector and infinite lifetimes for these fields).
// - buildAeadAlgo: rfc4106(gcm(aes)), key = key bytes ++ BigEndian(uint32(spi)) (the 4-byte salt),
//   ICVLen 64 (bits).
// - programSP: XfrmPolicy{Src: fSA.Src/32|128, Dst: fSA.Dst/32|128 (getMinimalIP: IPv4-mapped
//   addresses as IPv4), Dir: OUT, Proto: UDP, DstPort: VXLANUDPPort(), Mark: {0xD0C4E3, 0xffffffff},
//   Tmpls: [{Src: fSA.Src, Dst: fSA.Dst, Proto: ESP, Mode: TRANSPORT, Spi: fSA.Spi, Reqid: mark}]}
//   (priority 0, action allow, level required: the library's and ip's defaults).
// - buildSPI(src, dst, tag): FNV-32a over src.As16() (16 bytes; IPv4 as ::ffff:a.b.c.d), the tag as 4
//   big-endian bytes, dst.As16(). encryption_test.go TestBuildSPI checks it against the legacy
//   function that hashed net.ParseIP's 16-byte forms, for IPv4, IPv4-mapped, mixed and IPv6 pairs.
//
// Docker programs SAs with the bind address (`localIP`) and computes SPIs with the advertise/data-path
// address (`advIP`); netform has one underlay address per host and uses it for both, which is what a
// node whose bind and data-path addresses coincide does.
import { bitLen, inetNtop, parseAddr, parseIP, type Addr } from '../../net/index.ts';
import type { IpFamily } from '../../firewall/types.ts';
import type { KeyMaterial } from './secrets.ts';
import { DEFAULT_DATA_PATH_PORT, OVERLAY_MARK, OVERLAY_MARK_MASK } from '../../model/overlay-driver.ts';

export { OVERLAY_MARK, OVERLAY_MARK_MASK };
export const OVERLAY_REQID = OVERLAY_MARK;
/** buildAeadAlgo. */
export const AEAD_ALGORITHM = 'rfc4106(gcm(aes))';
export const AEAD_ICV_BITS = 64;
/** The range ConfigVXLANUDPPort accepts for --data-path-port. */
export const DATA_PATH_PORT_RANGE: readonly [number, number] = [1024, 49151];

/** A host as the overlay sees it: its name and its underlay (VTEP / advertise) address. */
export interface UnderlayHost {
  readonly name: string;
  readonly address: string;
}

export interface XfrmAead {
  readonly name: typeof AEAD_ALGORITHM;
  /** Key bytes followed by the 4-byte salt. */
  readonly key: KeyMaterial;
  readonly icvBits: typeof AEAD_ICV_BITS;
}

/** What names an SA: its ends, protocol, SPI, mode and reqid. Addresses are canonical text (as `ip xfrm` prints them). */
export interface XfrmSaId {
  readonly src: string;
  readonly dst: string;
  readonly proto: 'esp';
  /** uint32. */
  readonly spi: number;
  readonly mode: 'transport';
  readonly reqid: number;
}

/** One SA (`ip xfrm state`). */
export interface XfrmState extends XfrmSaId {
  readonly aead: XfrmAead;
  /** The other host of the pair, and which way the SA carries traffic seen from the local host. */
  readonly peer: string;
  readonly direction: 'forward' | 'reverse';
  /** The tag of the key it was made from, and whether that key is the primary one. */
  readonly keyTag: number;
  readonly primary: boolean;
}

/** A policy's template: the SA its traffic goes through. */
export type XfrmPolicyTemplate = XfrmSaId;

/** The OUT policy of a pair (`ip xfrm policy`): marked VXLAN from src to dst goes through the forward SA. */
export interface XfrmPolicy {
  readonly selector: {
    /** Host prefixes: a.b.c.d/32 or x::y/128. */
    readonly src: string;
    readonly dst: string;
    readonly proto: 'udp';
    readonly dport: number;
  };
  readonly dir: 'out';
  readonly mark: { readonly value: number; readonly mask: number };
  readonly tmpl: XfrmPolicyTemplate;
  readonly peer: string;
}

export interface XfrmPlan {
  readonly host: string;
  /** Family of the underlay (and of the iptables rules of the encrypted VNIs). */
  readonly family: IpFamily;
  readonly dataPathPort: number;
  /** Every SA, in the order setupEncryption adds them: peer by peer, key by key, reverse before forward. */
  readonly states: readonly XfrmState[];
  /** One OUT policy per peer, in peer order. Docker adds each right after its pair's primary SAs;
   * applying all states first and then all policies leaves no moment where a policy has no SA. */
  readonly policies: readonly XfrmPolicy[];
}

export interface XfrmInput {
  readonly local: UnderlayHost;
  /** The hosts that share at least one encrypted overlay with `local` (both run an endpoint on it), in
   * the order the local driver learns of them. Repeats of a host, and `local` itself, are ignored. */
  readonly peers: readonly UnderlayHost[];
  /** The driver's key list: index 0 is the primary key (secrets.ts). */
  readonly keys: readonly { readonly key: KeyMaterial; readonly tag: number }[];
  /** --data-path-port; 4789 when absent. */
  readonly dataPathPort?: number;
}

/**
 * The address as the kernel will hold it: a net.IP, so IPv4-mapped IPv6 is IPv4 (netlink GetIPFamily,
 * getMinimalIP), which is how parseIP reads it.
 */
function underlayAddress(host: UnderlayHost): Addr {
  const ip = parseIP(host.address);
  if (!ip) throw new Error(`xfrm: host ${JSON.stringify(host.name)} has no valid underlay address (${JSON.stringify(host.address)})`);
  return ip;
}

/** netip.Addr.As16: the 16 bytes, IPv4 as the IPv4-mapped IPv6 address. */
function as16(ip: Addr): number[] {
  const v = ip.family === 4 ? (0xffffn << 32n) | ip.value : ip.value;
  return Array.from({ length: 16 }, (_, i) => Number((v >> BigInt(120 - 8 * i)) & 0xffn));
}

const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;

function fnv1a32(bytes: readonly number[]): number {
  let h = FNV32_OFFSET;
  for (const b of bytes) h = Math.imul(h ^ b, FNV32_PRIME) >>> 0;
  return h >>> 0;
}

/** buildSPI(src, dst, tag): FNV-32a(src.As16() ++ BigEndian(uint32 tag) ++ dst.As16()). */
export function buildSpi(src: string, dst: string, tag: number): number {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0xffffffff) throw new RangeError(`buildSpi: tag ${tag} is not a uint32`);
  const s = parseAddr(src);
  const d = parseAddr(dst);
  if (!s || !d) throw new Error(`buildSpi: invalid address ${JSON.stringify(s ? dst : src)}`);
  return fnv1a32([...as16(s), (tag >>> 24) & 0xff, (tag >>> 16) & 0xff, (tag >>> 8) & 0xff, tag & 0xff, ...as16(d)]);
}

/** buildAeadAlgo's key: the key bytes followed by the SPI as 4 big-endian bytes (the GCM salt). */
export function aeadKey(key: KeyMaterial, spi: number): KeyMaterial {
  return key.concat(Uint8Array.of((spi >>> 24) & 0xff, (spi >>> 16) & 0xff, (spi >>> 8) & 0xff, spi & 0xff));
}

/** The SAs and policies the local host's overlay driver programs for its peers on encrypted overlays. */
export function planXfrm(input: XfrmInput): XfrmPlan {
  const { local, keys } = input;
  const port = input.dataPathPort ?? DEFAULT_DATA_PATH_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`xfrm: data path port ${port} is not a port number`);
  const localIp = underlayAddress(local);
  const family = localIp.family;
  const localText = inetNtop(localIp);
  const hostBits = bitLen(family);

  const states: XfrmState[] = [];
  const policies: XfrmPolicy[] = [];
  if (input.peers.length > 0 && keys.length === 0) {
    // setupEncryption: ForbiddenErrorf("encryption key is not present"). The model reports it first.
    throw new Error(`xfrm: host ${JSON.stringify(local.name)} has encrypted peers but no key`);
  }

  const seen = new Map<string, string>([[localText, local.name]]);
  for (const peer of input.peers) {
    const peerIp = underlayAddress(peer);
    const peerText = inetNtop(peerIp);
    const owner = seen.get(peerText);
    if (owner === peer.name) continue; // the local host itself, or a peer listed twice
    if (owner !== undefined) {
      throw new Error(`xfrm: ${JSON.stringify(peer.name)} and ${JSON.stringify(owner)} share the underlay address ${peerText}`);
    }
    if (peerIp.family !== family) {
      // Linux VXLAN devices have one address family (isIPv6Transport); the model rejects mixed underlays.
      throw new Error(`xfrm: peer ${JSON.stringify(peer.name)} (${peerText}) is not in the underlay family of ${JSON.stringify(local.name)} (${localText})`);
    }
    seen.set(peerText, peer.name);

    keys.forEach((k, i) => {
      const spi = { forward: buildSpi(localText, peerText, k.tag), reverse: buildSpi(peerText, localText, k.tag) };
      const sa = (direction: 'forward' | 'reverse'): XfrmState => ({
        src: direction === 'forward' ? localText : peerText,
        dst: direction === 'forward' ? peerText : localText,
        proto: 'esp',
        spi: spi[direction],
        mode: 'transport',
        reqid: OVERLAY_REQID,
        aead: { name: AEAD_ALGORITHM, key: aeadKey(k.key, spi[direction]), icvBits: AEAD_ICV_BITS },
        peer: peer.name,
        direction,
        keyTag: k.tag,
        primary: i === 0,
      });
      // programSA: the reverse SA first, then (primary key only: dir = bidir) the forward one.
      states.push(sa('reverse'));
      if (i !== 0) return;
      const fwd = sa('forward');
      states.push(fwd);
      policies.push({
        selector: { src: `${localText}/${hostBits}`, dst: `${peerText}/${hostBits}`, proto: 'udp', dport: port },
        dir: 'out',
        mark: { value: OVERLAY_MARK, mask: OVERLAY_MARK_MASK },
        tmpl: { src: fwd.src, dst: fwd.dst, proto: 'esp', spi: fwd.spi, mode: 'transport', reqid: OVERLAY_REQID },
        peer: peer.name,
      });
    });
  }
  return { host: local.name, family, dataPathPort: port, states, policies };
}
