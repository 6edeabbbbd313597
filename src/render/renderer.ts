// One interface for every renderer: the files it writes for one host's topology. The file writer
// (files/index.ts) iterates the renderers in RENDERERS order; a new output is a renderer beside the
// others and one entry in that list.
import type { Topology } from '../topology/types.ts';

/** A file's content: one string, or pieces to write one after another (iterated once). */
export type FileContent = string | Iterable<string>;

/** What every renderer may know besides the topology. */
export interface RenderContext {
  /** The input file's base name (it appears in the scripts' header comment). */
  readonly source: string;
}

export interface Renderer {
  readonly name: string;
  /** The files of one host, relative to the host's folder, each rendered when the iteration reaches it. */
  files(topology: Topology, context: RenderContext): Iterable<readonly [string, FileContent]>;
}
