// The e2e suite's second run: every example built again with `firewall-backend: nftables` set in its
// daemon settings (the YAML's `daemon:` mapping, or the daemon.json it names), and the probes of the
// two runs compared verdict by verdict. Nothing else of the example changes, so the same matrix must
// hold; an example Docker 29 cannot run on that backend (an older `engine:`, swarm mode with iptables
// on) does not build, and the reason is the build's own error message.
import { isMap, isScalar, parseDocument } from 'yaml';
import type { DaemonFileReader, SourceFile } from '../../../src/compile.ts';
import type { ProbeResult } from './probes.ts';

export type Backend = 'iptables' | 'nftables';

/** The example's text and daemon.json reader with `firewall-backend` set to `backend`. */
export function withBackend(source: SourceFile, readDaemon: DaemonFileReader, backend: Backend): { source: SourceFile; readDaemon: DaemonFileReader } {
  const doc = parseDocument(source.text);
  const daemon = doc.get('daemon', true);
  if (isScalar(daemon) && typeof daemon.value === 'string') {
    // daemon: path/to/daemon.json
    const reader: DaemonFileReader = (ref) => {
      const r = readDaemon(ref);
      if ('error' in r) return r;
      const json = JSON.parse(r.text) as Record<string, unknown>;
      return { file: r.file, text: `${JSON.stringify({ ...json, 'firewall-backend': backend }, null, 2)}\n` };
    };
    return { source, readDaemon: reader };
  }
  if (isMap(daemon)) doc.setIn(['daemon', 'firewall-backend'], backend);
  else if (daemon === undefined || (isScalar(daemon) && daemon.value === null)) doc.set('daemon', doc.createNode({ 'firewall-backend': backend }));
  else throw new Error(`${source.file}: daemon is neither a mapping nor a file name`);
  return { source: { file: source.file, text: doc.toString() }, readDaemon };
}

/**
 * The probes and checks of the iptables run whose outcome differs in the nftables run (matched by their
 * text), as lines to print. A check only the nftables run makes (that nft -f left iptables alone) has
 * nothing to be compared with.
 */
export function verdictDifferences(iptables: readonly ProbeResult[], nftables: readonly ProbeResult[]): string[] {
  const out: string[] = [];
  const other = new Map(nftables.map((r) => [r.text, r]));
  for (const r of iptables) {
    const s = other.get(r.text);
    if (!s) out.push(`${r.text}: ${r.outcome} with iptables, not run with nftables`);
    else if (s.outcome !== r.outcome) out.push(`${r.text}: ${r.outcome} with iptables, ${s.outcome} with nftables (${s.detail})`);
  }
  return out;
}
