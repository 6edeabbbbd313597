// Running the command line in-process, as bin/netform.js does, with an environment of the test's choosing.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main.ts';

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export async function runCli(argv: readonly string[], opts: { env?: Record<string, string>; tty?: boolean } = {}): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s), env: opts.env ?? {}, stderrIsTTY: opts.tty ?? false });
  return { code, out, err };
}

/** A scratch directory for one test, removed afterwards. */
export function withScratch(prefix: string, fn: (dir: string) => Promise<void> | void): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
