// One interface for every renderer: the files it writes for one host's topology. The file writer
// (files/index.ts) iterates the renderers in RENDERERS order; a new output is a renderer beside the
// others and one entry in that list.
import type { Origin } from '../diagnostics/origin.ts';
import type { Topology } from '../topology/types.ts';

/** A file's content: one string, or pieces to write one after another (iterated once). */
export type FileContent = string | Iterable<string>;

/** What every renderer may know besides the topology. */
export interface RenderContext {
  /** The input file's base name (it appears in the scripts' header comment). */
  readonly source: string;
}

/**
 * What caused an output line: an origin, or candidates of which the first the input has applies (a
 * resolv.conf nameserver comes from the container's dns, else the daemon's, else the host's file).
 */
export type LineOrigin = Origin | { readonly firstOf: readonly Origin[] };

/** Per line of a file (0-based), what caused it: at least one origin each. */
export type FileOrigins = readonly (readonly LineOrigin[])[];

export interface Renderer {
  readonly name: string;
  /** The files of one host, relative to the host's folder, each rendered when the iteration reaches it. */
  files(topology: Topology, context: RenderContext): Iterable<readonly [string, FileContent]>;
  /** For source maps: per file of `files` that has one, the origins of its lines. */
  origins?(topology: Topology, context: RenderContext): Iterable<readonly [string, FileOrigins]>;
}
