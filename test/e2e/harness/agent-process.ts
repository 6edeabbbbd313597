// Starting and talking to agents (agent.ts) inside namespaces. agent.ts is transpiled once per run
// to plain JavaScript, so an agent starts as fast as `node` itself (a loader would triple that for
// every namespace of every example). Requests and answers are JSON lines; each request waits for
// its own answer, so probes can run concurrently through one agent.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import readline from 'node:readline';
import type { AgentRequest, AgentResponse } from './agent.ts';
import { inNetns, tool } from './exec.ts';

/** A request as the harness writes it; the id is added here. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
type Request = WithoutId<AgentRequest>;

let script: Promise<{ dir: string; file: string }> | undefined;
const AGENT_START_MS = 30_000;

/** agent.ts as JavaScript in a temporary directory (once per process). */
function agentScript(): Promise<{ dir: string; file: string }> {
  script ??= (async () => {
    // Loaded here, not at import: a skipped suite should not pay for the transpiler.
    const { transform } = await import('esbuild');
    const source = readFileSync(fileURLToPath(new URL('./agent.ts', import.meta.url)), 'utf8');
    const out = await transform(source, { loader: 'ts', format: 'esm', target: 'es2022' });
    const dir = mkdtempSync(path.join(tmpdir(), 'nfe2e-agent-'));
    writeFileSync(path.join(dir, 'agent.mjs'), out.code);
    return { dir, file: path.join(dir, 'agent.mjs') };
  })();
  return script;
}

/** Removes the transpiled agent (end of the run). */
export async function removeAgentScript(): Promise<void> {
  if (!script) return;
  rmSync((await script).dir, { recursive: true, force: true });
  script = undefined;
}

export class Agent {
  private nextId = 1;
  private readonly pending = new Map<number, (r: AgentResponse) => void>();
  private exited: string | undefined;

  private constructor(
    readonly ns: string,
    private readonly child: ChildProcessWithoutNullStreams,
  ) {}

  /**
   * Starts an agent in `ns` and waits until it is ready: a node process starts in a fraction of a
   * second, but on a machine busy with other work (parallel lanes included) it can take several, so the
   * limit only catches an agent that will never come up.
   */
  static async start(ns: string): Promise<Agent> {
    const [ip, args] = inNetns(ns, process.execPath, [(await agentScript()).file, tool('ip')]);
    const child = spawn(ip, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const agent = new Agent(ns, child);
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (stderr += d));
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`agent in ${ns} not ready after ${AGENT_START_MS / 1000} s`)), AGENT_START_MS);
      readline.createInterface({ input: child.stdout }).on('line', (line) => {
        const msg = JSON.parse(line) as AgentResponse | { ready: true };
        if ('ready' in msg) {
          clearTimeout(timer);
          resolve();
          return;
        }
        agent.pending.get(msg.id)?.(msg);
        agent.pending.delete(msg.id);
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        agent.exited = `agent in ${ns} exited (${signal ?? code}): ${stderr.trim()}`;
        reject(new Error(agent.exited));
        for (const [id, done] of agent.pending) done({ id, ok: false, error: agent.exited });
        agent.pending.clear();
      });
    });
    try {
      await ready;
    } catch (e) {
      await agent.kill();
      throw e;
    }
    return agent;
  }

  request(req: Request): Promise<AgentResponse> {
    if (this.exited) return Promise.resolve({ id: 0, ok: false, error: this.exited });
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.child.stdin.write(`${JSON.stringify({ ...req, id })}\n`);
    });
  }

  /**
   * Ends the agent and every server it runs (`ip netns exec` execs node, so the child is the agent
   * itself), and waits until it is gone: a namespace with a live process outlives `ip netns del`.
   */
  kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGKILL');
    return gone;
  }
}

/** One agent per namespace, started on first use; close() kills them all. */
export class Agents {
  private readonly byNs = new Map<string, Promise<Agent>>();

  get(ns: string): Promise<Agent> {
    let a = this.byNs.get(ns);
    if (!a) {
      a = Agent.start(ns);
      this.byNs.set(ns, a);
    }
    return a;
  }

  async close(): Promise<void> {
    const all = await Promise.allSettled(this.byNs.values());
    await Promise.all(all.map((r) => (r.status === 'fulfilled' ? r.value.kill() : undefined)));
    this.byNs.clear();
  }
}
