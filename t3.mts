import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadComposeProject, projectFragment } from './src/compose/index.ts';
const base = '/work/shared/reference/compose/awesome-compose';
const dirs = process.argv.slice(2);
for (const d of dirs) {
  const file = ['compose.yaml','compose.yml'].map(f=>path.join(d,f)).find(f=>{try{readFileSync(path.join(base,f));return true}catch{return false}})!;
  const read = (p: string) => { try { return { file: p, text: readFileSync(path.join(base, p), 'utf8') }; } catch (e) { return { error: (e as Error).message, missing: (e as NodeJS.ErrnoException).code === 'ENOENT' }; } };
  const r = loadComposeProject({ files: [file], directoryName: path.basename(d) }, read);
  for (const x of r.diagnostics) console.log(' ', x.severity, x.code, x.path.join('.'), x.message);
  if (!r.project) { console.log(d, 'NO PROJECT'); continue; }
  const f = projectFragment(r.project, { networks: new Set(), containers: new Set(), missingExternal: 'declare' });
  for (const x of f.diagnostics) console.log(' ', x.severity, x.code, x.path.join('.'), x.message);
  console.log(d, r.project.name, JSON.stringify({ networks: f.fragment.networks, containers: f.fragment.containers }, null, 0));
}
