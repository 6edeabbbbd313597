// Compose files as netform input: a stage just above parsing. loadComposeProject reads a project's files
// as `docker compose` would (load.ts, project.ts); projectFragment turns it into netform networks and
// containers (convert-*.ts), each value tied to the compose node it came from (fragment.ts).
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { convertNetworks } from './convert-networks.ts';
import { convertServices } from './convert-services.ts';
import { Fragment } from './fragment.ts';
import { loadModel } from './load.ts';
import { buildProject } from './project.ts';
import type { ComposeProject, ComposeSource, FileReader, ProjectRequest } from './types.ts';

export type { ComposeProject, ComposeSource, FileReader, ProjectRequest } from './types.ts';
export { Fragment, type FragmentEntry, type Plain } from './fragment.ts';
export type { Origin } from './tree.ts';
export { normalizeProjectName } from './load.ts';

const hasErrors = (ds: readonly Diagnostic[]) => ds.some((d) => d.severity === 'error');

export function loadComposeProject(req: ProjectRequest, read: FileReader): { project?: ComposeProject; sources: ComposeSource[]; diagnostics: Diagnostic[] } {
  const loaded = loadModel(req, read);
  const diagnostics = [...loaded.diagnostics];
  if (!loaded.model || loaded.name === undefined || !loaded.nameOrigin || hasErrors(diagnostics)) return { sources: loaded.sources, diagnostics };
  const project = buildProject(loaded.model, loaded.name, loaded.nameOrigin, loaded.env, req.profiles, diagnostics);
  if (hasErrors(diagnostics)) return { sources: loaded.sources, diagnostics };
  return { project, sources: loaded.sources, diagnostics };
}

export interface FragmentContext {
  /** Docker names of networks that exist before this project (grows as projects are converted). */
  readonly networks: Set<string>;
  /** Names of containers that exist before this project (grows too). */
  readonly containers: Set<string>;
  /** An external network that does not exist: declared with defaults and a warning, or an error. */
  readonly missingExternal: 'declare' | 'error';
  /** The host the project runs on, in a netform file with several hosts. */
  readonly host?: string;
}

export function projectFragment(project: ComposeProject, ctx: FragmentContext): { fragment: Fragment; diagnostics: Diagnostic[] } {
  const fragment = new Fragment();
  const diagnostics: Diagnostic[] = [];
  const host = ctx.host !== undefined ? { host: ctx.host } : {};
  convertNetworks(project, { existing: ctx.networks, missingExternal: ctx.missingExternal, ...host }, fragment, diagnostics);
  convertServices(project, { existing: ctx.containers, ...host }, fragment, diagnostics);
  if (ctx.host !== undefined) for (const c of fragment.containers) c.value['host'] = ctx.host;
  return { fragment, diagnostics };
}
