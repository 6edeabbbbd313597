// The variables a compose project is interpolated with, as `docker compose` gathers them (compose-go
// cli/options.go WithOsEnv, WithEnvFiles, WithDotEnv): the shell's variables, then the project
// directory's `.env` (or the `--env-file` files instead), a variable the shell has winning over the file.
// netform never reads its own process environment, so that a build is the same on every machine: what a
// shell would give is passed in explicitly (`environment:` of a project in a netform file).
import path from 'node:path/posix';
import { error, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { parseDotenv } from './dotenv.ts';
import type { ComposeSource, FileReader } from './types.ts';

export interface EnvRequest {
  /** The project directory, as the reader's paths are written. */
  readonly directory: string;
  /** Explicit env files (`--env-file`): they replace the default `.env` and must exist. */
  readonly envFiles?: readonly string[];
  /** What the shell would give. */
  readonly environment?: Readonly<Record<string, string>>;
}

export function projectEnvironment(req: EnvRequest, read: FileReader, sources: ComposeSource[]): { env: Map<string, string>; diagnostics: Diagnostic[] } {
  const env = new Map<string, string>(Object.entries(req.environment ?? {}));
  const diagnostics: Diagnostic[] = [];
  const explicit = req.envFiles !== undefined && req.envFiles.length > 0;
  const files = explicit ? req.envFiles! : [path.join(req.directory, '.env')];
  // GetEnvFromFile: each file is read with the shell's variables and those read so far.
  const fromFiles = new Map<string, string>();
  for (const f of files) {
    const got = read(f);
    if ('error' in got) {
      if (!explicit && got.missing) continue; // no .env: nothing to read
      diagnostics.push(error('COMPOSE_FILE', [], `couldn't find env file ${f}: ${got.error}`, { file: f }));
      continue;
    }
    sources.push({ file: got.file, text: got.text });
    const r = parseDotenv(got.text, (k) => env.get(k) ?? fromFiles.get(k));
    if (!r.ok) {
      const lineStart = nthLineOffset(got.text, r.line);
      diagnostics.push(error('COMPOSE_ENV', [], `failed to read ${got.file}: line ${r.line}: ${r.error}`, { file: got.file, range: [lineStart, lineStart] }));
      continue;
    }
    for (const [k, v] of r.vars) fromFiles.set(k, v);
  }
  // Mapping.Merge: the shell's value wins.
  for (const [k, v] of fromFiles) if (!env.has(k)) env.set(k, v);
  return { env, diagnostics };
}

function nthLineOffset(text: string, line: number): number {
  let at = 0;
  for (let i = 1; i < line; i++) {
    const nl = text.indexOf('\n', at);
    if (nl < 0) return text.length;
    at = nl + 1;
  }
  return at;
}
