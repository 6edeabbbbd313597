// What a host's folder may gain when the fleet around it grows: only what Docker programs on every node
// for every other node, the ingress network's peers (libnetwork's overlay driver adds a neighbour, a
// forwarding entry and a flood entry per remote VTEP: drivers/overlay/peerdb.go peerAddOp, and
// networkdb gossips the ingress sandboxes of every node). Everything else a host holds (its containers,
// its networks, the endpoints of the overlays it joins) is the same in a fleet of 100 and of 1,000.
//
// comparePeerGrowth takes one host's files in a smaller and a bigger fleet (same input file name), drops
// from the bigger one what belongs to the ingress peers the smaller fleet does not have, and says what
// differs beyond that: nothing, when the build's per-host output follows only what the host holds.

/** A host's folder: path inside the folder -> content. */
export type HostFolder = ReadonlyMap<string, string>;

interface OverlayJson {
  readonly network: string;
  readonly floods?: string[];
  readonly peers?: { readonly host?: string; readonly container?: string; readonly mac?: string; readonly ipv4?: string; readonly ipv6?: string; readonly vtep?: string }[];
}

/** The ingress overlay of a topology.json, or undefined. */
function ingressOf(topology: { overlays?: OverlayJson[] }): OverlayJson | undefined {
  return topology.overlays?.find((o) => o.peers?.some((p) => p.container === 'ingress_sbox'));
}

/** What the bigger fleet's ingress peers not in `keep` are known by: their addresses, MACs and VTEPs. */
function extraPeerTokens(ingress: OverlayJson, keep: ReadonlySet<string>): Set<string> {
  const tokens = new Set<string>();
  for (const p of ingress.peers ?? []) {
    if (p.host === undefined || keep.has(p.host)) continue;
    for (const t of [p.mac, p.ipv4, p.ipv6, p.vtep]) if (t) tokens.add(t);
  }
  return tokens;
}

/** topology.json without the ingress peers (and their flood entries) of hosts outside `keep`. */
function withoutExtraPeers(text: string, keep: ReadonlySet<string>): { json: string; tokens: Set<string>; extra: number } {
  const topology = JSON.parse(text) as { overlays?: OverlayJson[] };
  const ingress = ingressOf(topology);
  if (!ingress) return { json: JSON.stringify(topology), tokens: new Set(), extra: 0 };
  const tokens = extraPeerTokens(ingress, keep);
  const vteps = new Set((ingress.peers ?? []).filter((p) => p.host !== undefined && !keep.has(p.host)).map((p) => p.vtep));
  const kept = (ingress.peers ?? []).filter((p) => p.host === undefined || keep.has(p.host));
  const keptVteps = new Set(kept.map((p) => p.vtep));
  const trimmed: OverlayJson = {
    ...ingress,
    peers: kept,
    ...(ingress.floods ? { floods: ingress.floods.filter((f) => !vteps.has(f) || keptVteps.has(f)) } : {}),
  };
  const overlays = topology.overlays!.map((o) => (o === ingress ? trimmed : o));
  return { json: JSON.stringify({ ...topology, overlays }), tokens, extra: (ingress.peers ?? []).length - kept.length };
}

/** A script line that programs one of the extra peers (its address, MAC or VTEP as a whole word). */
function mentionsAny(line: string, tokens: ReadonlySet<string>): boolean {
  for (const word of line.split(/\s+/)) if (tokens.has(word)) return true;
  return false;
}

export interface PeerGrowth {
  /** Files whose difference is not explained by the extra ingress peers (empty: the host is unaffected). */
  readonly unexplained: readonly string[];
  /** How many ingress peers the bigger fleet adds to this host. */
  readonly extraPeers: number;
  /** Bytes of the folder in the smaller and in the bigger fleet. */
  readonly bytes: { readonly small: number; readonly big: number };
}

const folderBytes = (f: HostFolder): number => [...f.values()].reduce((n, s) => n + Buffer.byteLength(s), 0);

/**
 * Compares one host's folder in a smaller fleet (`small`, whose hosts are `smallHosts`) with the same
 * host's folder in a bigger fleet that contains it.
 */
export function comparePeerGrowth(small: HostFolder, big: HostFolder, smallHosts: ReadonlySet<string>): PeerGrowth {
  const unexplained: string[] = [];
  const bigTopology = big.get('topology.json');
  const trimmed = bigTopology === undefined ? undefined : withoutExtraPeers(bigTopology, smallHosts);
  const tokens = trimmed?.tokens ?? new Set<string>();
  for (const rel of new Set([...small.keys(), ...big.keys()])) {
    const s = small.get(rel);
    const b = big.get(rel);
    if (s === undefined || b === undefined) unexplained.push(rel);
    else if (rel === 'topology.json') {
      if (JSON.stringify(JSON.parse(s)) !== trimmed!.json) unexplained.push(rel);
    } else if (s !== b) {
      const kept = b.split('\n').filter((line) => !mentionsAny(line, tokens));
      if (kept.join('\n') !== s) unexplained.push(rel);
    }
  }
  return { unexplained: unexplained.sort(), extraPeers: trimmed?.extra ?? 0, bytes: { small: folderBytes(small), big: folderBytes(big) } };
}
