// Loading the files of one project into one model, in compose-go's order (loader.go loadYamlFile), file
// after file: parse, interpolate, apply `!reset`/`!override`, merge onto what came before, make keyed
// lists unique, validate against the Compose schema, make the canonical form, make keyed lists unique
// again. Then the project name (cli/options.go withNamePrecedenceLoad, loader.go projectName).
import path from 'node:path/posix';
import { error, warning, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { parseSource } from '../parse/index.ts';
import { canonical } from './canonical.ts';
import { projectEnvironment } from './env.ts';
import { interpolateTree } from './interpolate.ts';
import { enforceUnicity, mergeNodes } from './merge.ts';
import { applyResets, takeResets } from './reset.ts';
import { validateCompose } from './schema.ts';
import { substitute } from './template.ts';
import { child, treeOf, type CNode, type Origin } from './tree.ts';
import type { ComposeSource, FileReader, ProjectRequest } from './types.ts';
import { at } from './where.ts';

export interface LoadedModel {
  readonly model?: CNode;
  readonly name?: string;
  readonly nameOrigin?: Origin;
  readonly env: ReadonlyMap<string, string>;
  readonly sources: ComposeSource[];
  readonly diagnostics: Diagnostic[];
}

const hasErrors = (ds: readonly Diagnostic[]) => ds.some((d) => d.severity === 'error');

/** loader.NormalizeProjectName: lower case, only [a-z0-9_-], no leading _ or -. */
export function normalizeProjectName(s: string): string {
  return (s.toLowerCase().match(/[a-z0-9_-]/g) ?? []).join('').replace(/^[_-]+/, '');
}

export function loadModel(req: ProjectRequest, read: FileReader): LoadedModel {
  const sources: ComposeSource[] = [];
  const diagnostics: Diagnostic[] = [];
  const directory = path.dirname(req.files[0] ?? '.');
  const { env, diagnostics: ed } = projectEnvironment({ directory, ...(req.envFiles ? { envFiles: req.envFiles } : {}), ...(req.environment ? { environment: req.environment } : {}) }, read, sources);
  diagnostics.push(...ed);

  const trees: CNode[] = [];
  for (const f of req.files) {
    const got = read(f);
    if ('error' in got) {
      diagnostics.push(error('COMPOSE_FILE', [], `cannot read compose file ${f}: ${got.error}`, { file: f }));
      continue;
    }
    const parsed = parseSource(got.text, got.file);
    sources.push({ file: got.file, text: got.text, parsed });
    // The merge tags are Compose's own; YAML knows no other tags in a compose file.
    diagnostics.push(...parsed.diagnostics.filter((d) => !(d.code === 'YAML_WARNING' && /!(reset|override)\b/.test(d.message))));
    if (hasErrors(parsed.diagnostics)) continue;
    const tree = treeOf(parsed.doc, got.file);
    if (!tree || tree.kind !== 'map') {
      diagnostics.push(error('COMPOSE_SCHEMA', [], tree ? 'top-level object must be a mapping' : 'empty compose file', { file: got.file, range: [0, 0] }));
      continue;
    }
    trees.push(tree);
  }
  if (hasErrors(diagnostics)) return { env, sources, diagnostics };

  const named = projectName(req, trees, env, diagnostics);
  if (named) env.set('COMPOSE_PROJECT_NAME', named.name);

  let model: CNode | undefined;
  const seen = new Set<string>();
  for (const raw of trees) {
    const interpolated = interpolateTree(raw, (k) => env.get(k), diagnostics);
    const { tree, paths } = takeResets(interpolated);
    const base = model ? applyResets(model, paths) : undefined;
    let merged = base ? mergeNodes(base, tree, [], diagnostics) : tree;
    merged = enforceUnicity(merged);
    for (const d of validateCompose(merged)) {
      const k = `${d.file}\u0000${d.range?.join(',')}\u0000${d.message}`;
      if (!seen.has(k)) diagnostics.push(d);
      seen.add(k);
    }
    const version = child(merged, 'version');
    if (version && raw.kind === 'map' && raw.entries.get('version') === version) {
      diagnostics.push(warning('COMPOSE_SCHEMA', ['version'], 'the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion', at(version, { key: true })));
    }
    model = enforceUnicity(canonical(merged, diagnostics));
  }
  if (!named) return { ...(model ? { model } : {}), env, sources, diagnostics };
  return { ...(model ? { model } : {}), name: named.name, nameOrigin: named.origin, env, sources, diagnostics };
}

/**
 * The project name: `--project-name` (or a netform `projects:` key), else COMPOSE_PROJECT_NAME, both
 * used as given and refused when not already normal; else the last `name:` of the files, interpolated
 * and normalised; else the project directory's name, normalised.
 */
function projectName(req: ProjectRequest, trees: readonly CNode[], env: ReadonlyMap<string, string>, out: Diagnostic[]): { name: string; origin: Origin } | undefined {
  const first = trees[0]!;
  const topOrigin: Origin = { file: first.origin.file, path: [], range: [0, 0] };
  const imperative = req.name !== undefined && req.name !== '' ? req.name : env.get('COMPOSE_PROJECT_NAME') || undefined;
  if (imperative !== undefined) {
    if (normalizeProjectName(imperative) !== imperative) {
      out.push(error('COMPOSE_PROJECT', [], `invalid project name ${JSON.stringify(imperative)}: must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number`, { file: first.origin.file, range: [0, 0] }));
      return undefined;
    }
    return { name: imperative, origin: topOrigin };
  }
  let fromFile: CNode | undefined;
  for (const t of trees) {
    const n = child(t, 'name');
    if (n && n.kind === 'scalar' && n.value !== null && String(n.value) !== '') fromFile = n;
  }
  let name = '';
  let origin = topOrigin;
  if (fromFile && fromFile.kind === 'scalar') {
    const r = substitute(String(fromFile.value), (k) => env.get(k));
    if (!r.ok) {
      out.push(error('COMPOSE_INTERPOLATION', ['name'], r.error, at(fromFile)));
      return undefined;
    }
    name = normalizeProjectName(r.value);
    origin = fromFile.origin;
  }
  if (name === '' && !fromFile) name = normalizeProjectName(req.directoryName ?? '');
  if (name === '') {
    out.push(error('COMPOSE_PROJECT', fromFile ? ['name'] : [], 'project name must not be empty: give one with name:, --project-name or COMPOSE_PROJECT_NAME', fromFile ? at(fromFile) : { file: first.origin.file, range: [0, 0] }));
    return undefined;
  }
  return { name, origin };
}
