// Running ansible-playbook with the repository's collection (ansible/) against namespace hosts, and
// reading what it printed: the recap per host, the task output. Also the one-file netform install the
// managed hosts get (dist/netform.cjs, copied alone into a scratch directory).
import { execFile } from 'node:child_process';
import { copyFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findExecutable } from '../support/netns.ts';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, '..', '..');
export const COLLECTIONS = path.join(REPO, 'ansible');
export const PLAYBOOK = path.join(HERE, 'playbook.yml');
const BUNDLE = path.join(REPO, 'dist', 'netform.cjs');

/** Why ansible-playbook cannot run here, or undefined. */
export const ansibleUnavailable = (): string | undefined => (findExecutable('ansible-playbook') ? undefined : '`ansible-playbook` not found (Debian: apt-get install ansible-core)');

function newestUnder(dir: string): { file: string; ms: number } {
  let best = { file: dir, ms: 0 };
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    const n = e.isDirectory() ? newestUnder(p) : { file: p, ms: statSync(p).mtimeMs };
    if (n.ms > best.ms) best = n;
  }
  return best;
}

/** Why dist/netform.cjs cannot stand for the sources (missing, or older than a file under src/), or undefined. */
export function bundleUnavailable(): string | undefined {
  let built: number;
  try {
    built = statSync(BUNDLE).mtimeMs;
  } catch {
    return 'dist/netform.cjs is missing: run npm run build';
  }
  const newest = newestUnder(path.join(REPO, 'src'));
  return newest.ms > built ? `dist/netform.cjs is older than ${path.relative(REPO, newest.file)}: run npm run build` : undefined;
}

/** Copies the bundle alone into `dir` (the smallest install of a managed host); returns its path. */
export function installBundle(dir: string): string {
  const to = path.join(dir, 'netform.cjs');
  copyFileSync(BUNDLE, to);
  return to;
}

export interface PlaybookRun {
  readonly code: number;
  /** stdout, then stderr. */
  readonly out: string;
}

/** ansible-playbook with the collection found in ansible/, no colour, nothing written outside `scratch` (8 minutes at most). */
export function ansiblePlaybook(args: readonly string[], scratch: string, opts: { timeoutMs?: number } = {}): Promise<PlaybookRun> {
  const env = {
    ...process.env,
    ANSIBLE_COLLECTIONS_PATH: COLLECTIONS,
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_FORCE_COLOR: '0',
    ANSIBLE_RETRY_FILES_ENABLED: '0',
    ANSIBLE_LOCAL_TEMP: path.join(scratch, 'ansible-local'),
    ANSIBLE_REMOTE_TEMP: path.join(scratch, 'ansible-remote'),
    ANSIBLE_HOME: path.join(scratch, 'ansible-home'),
    ANSIBLE_STDOUT_CALLBACK: 'default',
    ANSIBLE_DEPRECATION_WARNINGS: '0',
  };
  return new Promise((resolve) => {
    execFile(findExecutable('ansible-playbook')!, [...args], { env, cwd: scratch, encoding: 'utf8', timeout: opts.timeoutMs ?? 8 * 60_000, killSignal: 'SIGKILL', maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

export interface Recap {
  readonly ok: number;
  readonly changed: number;
  readonly failed: number;
  readonly unreachable: number;
}

/** The PLAY RECAP lines, by host. */
export function recap(out: string): Map<string, Recap> {
  const found = new Map<string, Recap>();
  const tail = out.slice(out.lastIndexOf('PLAY RECAP'));
  for (const m of tail.matchAll(/^(\S+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/gm)) {
    found.set(m[1]!, { ok: Number(m[2]), changed: Number(m[3]), unreachable: Number(m[4]), failed: Number(m[5]) });
  }
  return found;
}

/** `host:changed/failed` for every host, sorted: one string to compare in an assertion. */
export const recapLine = (out: string): string =>
  [...recap(out)]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([h, r]) => `${h}:changed=${r.changed},failed=${r.failed},unreachable=${r.unreachable}`)
    .join(' ');

/**
 * What the task printed for one host: its status line (`changed: [h1]`, `fatal: [h3]: FAILED! => {...}`)
 * and what came before it since the previous status line (the diff, which precedes the status line).
 */
export function hostOutput(out: string, host: string): string {
  const picked: string[] = [];
  let chunk: string[] = [];
  for (const l of out.split('\n')) {
    if (/^(TASK|PLAY) /.test(l)) chunk = [];
    chunk.push(l);
    const status = /^(?:ok|changed|fatal|failed|skipping): \[([^\]]+)\]/.exec(l);
    if (status) {
      if (status[1] === host) picked.push(...chunk);
      chunk = [];
    }
  }
  return picked.join('\n');
}
