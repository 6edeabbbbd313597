// Writing a build: everything goes to a fresh temporary directory beside the target, which is then
// renamed into place, so a reader never sees half an output and an error leaves nothing behind. An
// earlier netform output (it carries MARKER) is replaced; any other non-empty directory is refused.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const MARKER = '.netform-output';

export class OutputDirError extends Error {}

function isNetformOutput(dir: string): boolean {
  return existsSync(path.join(dir, MARKER));
}

/** Reads every file under dir (except the marker) into a map of relative path -> content. */
export function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(r);
      else if (entry.isFile() && r !== MARKER) out.set(r, readFileSync(path.join(dir, r), 'utf8'));
    }
  };
  if (existsSync(dir)) walk('');
  return out;
}

export function writeTreeAtomically(dir: string, files: ReadonlyMap<string, string>, opts: { allowForeign?: boolean } = {}): void {
  const target = path.resolve(dir);
  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) throw new OutputDirError(`${dir} exists and is not a directory`);
    if (readdirSync(target).length > 0 && !isNetformOutput(target) && !opts.allowForeign) {
      throw new OutputDirError(`${dir} is not empty and holds no earlier netform output (no ${MARKER}); refusing to replace it`);
    }
  }
  const parent = path.dirname(target);
  mkdirSync(parent, { recursive: true });
  const tmp = mkdtempSync(path.join(parent, `.${path.basename(target)}.netform-`));
  try {
    chmodSync(tmp, 0o755); // mkdtemp makes it 0700; the output is an ordinary directory
    for (const [rel, content] of files) {
      const file = path.join(tmp, rel);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
      if (rel.endsWith('.sh')) chmodSync(file, 0o755);
    }
    writeFileSync(path.join(tmp, MARKER), 'This directory is written by netform build; it is replaced as a whole.\n');
    if (existsSync(target)) {
      const old = `${tmp}.old`;
      renameSync(target, old);
      renameSync(tmp, target);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(tmp, target);
    }
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
