// Every output file of one host: its path relative to the host's folder and its content. The renderers
// are pure; the command line writes the files. Contents are rendered one file at a time, when the
// consumer reaches them, and topology.json comes in pieces: at 100,000 containers it is larger than the
// longest string JavaScript can hold.
import type { Topology } from '../../topology/types.ts';
import { containerHosts, hostNetworkHosts } from '../hosts/index.ts';
import { firewallFiles } from '../../firewall/index.ts';
import { containerResolvConf } from '../resolvconf/index.ts';
import { renderSetup, renderTeardown } from '../script/index.ts';
import { jsonPieces } from './json.ts';
import { renderXfrmStates } from '../xfrm/index.ts';
import { SECRET_SUFFIX } from './secret.ts';

export { isSecretFile, SECRET_SUFFIX } from './secret.ts';

/** A file's content: one string, or pieces to write one after another (iterated once). */
export type FileContent = string | Iterable<string>;

/** Files of one host, relative to the host's folder, in the order they are listed. */
export function* hostFiles(t: Topology, source: string): Generator<[string, FileContent]> {
  for (const [name, text] of firewallFiles(t.firewall)) yield [name, text];
  yield ['setup.sh', renderSetup(t, source)];
  // The SAs with their keys: written mode 0600 (SECRET_FILE), never kept in goldens.
  if (t.xfrm) yield [`xfrm-states${SECRET_SUFFIX}`, renderXfrmStates(t.xfrm, 'reveal')];
  yield ['teardown.sh', renderTeardown(t, source)];
  for (const c of t.containers) {
    if (c.sandbox) continue; // Docker's own namespace (ingress_sbox): no files
    const hosts = c.hosts.kind === 'built' ? containerHosts(c.hosts.spec) : hostNetworkHosts(c.hosts.etcHosts, [...c.hosts.extraHosts]);
    yield [`containers/${c.name}/hosts`, hosts];
    yield [`containers/${c.name}/resolv.conf`, containerResolvConf(c.resolvConf)];
  }
  yield ['topology.json', topologyJson(t)];
}

function* topologyJson(t: Topology): Generator<string> {
  yield* jsonPieces(t);
  yield '\n';
}

/** A content as one string (fails beyond the longest string JavaScript can hold). */
export const contentText = (c: FileContent): string => (typeof c === 'string' ? c : [...c].join(''));

/** Files of one host, relative to the host's folder, as strings. Insertion order is the order they are listed. */
export function renderHostFiles(t: Topology, source: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const [rel, content] of hostFiles(t, source)) files.set(rel, contentText(content));
  return files;
}
