// Every output file of one host: its path relative to the host's folder and its content, from each
// renderer in turn. The renderers are pure; the command line writes the files. Contents are rendered one
// file at a time, when the consumer reaches them, and topology.json comes in pieces: at 100,000
// containers it is larger than the longest string JavaScript can hold.
import type { Topology } from '../../topology/types.ts';
import { firewallRenderer } from '../firewall/index.ts';
import { containerFilesRenderer } from '../hosts/renderer.ts';
import { topologyJsonRenderer } from './json.ts';
import type { FileContent, Renderer } from '../renderer.ts';
import { scriptRenderer } from '../script/index.ts';
import { xfrmRenderer } from '../xfrm/index.ts';

export { isSecretFile, SECRET_SUFFIX } from './secret.ts';
export type { FileContent } from '../renderer.ts';

/** The renderers, in the order their files are listed. */
export const RENDERERS: readonly Renderer[] = [firewallRenderer, scriptRenderer, xfrmRenderer, containerFilesRenderer, topologyJsonRenderer];

/** Files of one host, relative to the host's folder, in the order they are listed. */
export function* hostFiles(t: Topology, source: string): Generator<[string, FileContent]> {
  for (const renderer of RENDERERS) for (const [rel, content] of renderer.files(t, { source })) yield [rel, content];
}

/** A content as one string (fails beyond the longest string JavaScript can hold). */
export const contentText = (c: FileContent): string => (typeof c === 'string' ? c : [...c].join(''));
