// What the compose stage takes and gives. It reads no file itself: the caller's reader does (src/cli, or a
// test), given paths as they are written relative to the reader's own base directory.
import type { ParsedSource } from '../parse/index.ts';
import type { CMap, CNode, Origin } from './tree.ts';

export type FileReader = (pathAsWritten: string) => { readonly file: string; readonly text: string } | { readonly error: string; readonly missing?: boolean };

/** A file diagnostics may point into (a compose file with its parse, or a .env without one). */
export interface ComposeSource {
  readonly file: string;
  readonly text: string;
  readonly parsed?: ParsedSource;
}

export interface ProjectRequest {
  /** The compose files, as `-f` would list them (relative to the reader's base). */
  readonly files: readonly string[];
  /** An imperative project name (`--project-name`, or the key of a netform file's `projects:`). */
  readonly name?: string;
  /** Base name of the project directory, for a project nothing else names (`docker compose` run there). */
  readonly directoryName?: string;
  /** `--env-file`: read instead of the project directory's `.env`. */
  readonly envFiles?: readonly string[];
  /** Variables as the shell would give them; they win over the env files. */
  readonly environment?: Readonly<Record<string, string>>;
  /** `--profile`; without it COMPOSE_PROFILES. */
  readonly profiles?: readonly string[];
}

export interface ComposeService {
  readonly name: string;
  readonly node: CMap;
}

export interface ComposeNetwork {
  /** The key in the compose file (`default` for the implicit one). */
  readonly key: string;
  /** The Docker network name (`<project>_<key>`, or `name:`). */
  readonly name: string;
  readonly external: boolean;
  /** Its declaration (for the implicit default network, a synthesised empty mapping). */
  readonly node: CMap;
}

/** A loaded project: Compose's model after loading, merging, normalising and selecting. */
export interface ComposeProject {
  readonly name: string;
  /** Where the project name came from, for diagnostics about it. */
  readonly nameOrigin: Origin;
  /** Enabled services, by name (sorted). */
  readonly services: ReadonlyMap<string, ComposeService>;
  /** Networks the enabled services use, by key (sorted). */
  readonly networks: ReadonlyMap<string, ComposeNetwork>;
  /** The merged model (for anything else a caller needs). */
  readonly model: CNode;
}
