// Starting and talking to the agent (agent.py) that serves and probes inside an example's namespaces.
// One process serves every namespace of an Agents: each request names its namespace, and the agent
// makes that request's sockets there (setns(2)), so a packet is still sent and judged by the kernel of
// that namespace. One Python process per example, instead of one runtime per namespace, is most of
// the CPU the end-to-end suite saves on starting agents. Requests and answers are JSON lines; each
// request waits for its own answer, so probes run concurrently through one agent.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import readline from 'node:readline';
import { python } from '../../support/spawner.ts';
import { tool } from './exec.ts';

type Proto = 'tcp' | 'udp' | 'http';

/** What the harness asks of an agent in a namespace. */
export type AgentRequest =
  | { readonly op: 'listen'; readonly label: string; readonly proto: Proto; readonly port: number }
  /** Sends `token` to host:port and waits for the answer; a name is resolved as a program in the namespace would. */
  | { readonly op: 'probe'; readonly proto: Proto; readonly host: string; readonly port: number; readonly token: string; readonly timeoutMs: number }
  /** Whether a server of this agent received `token`, and from which peer. */
  | { readonly op: 'seen'; readonly proto: Proto; readonly port: number; readonly token: string };

/** What a server says to every probe. */
export interface ServerAnswer {
  readonly server: string;
  readonly port: number;
  readonly peer: string;
}

export type AgentResponse =
  | { readonly id: number; readonly ok: true; readonly answer?: ServerAnswer; readonly seenFrom?: string | null }
  | { readonly id: number; readonly ok: false; readonly error: string };

const AGENT = fileURLToPath(new URL('./agent.py', import.meta.url));
const AGENT_START_MS = 30_000;

/** The agent process: started on first use, ended by kill(). */
class AgentProcess {
  private nextId = 1;
  private readonly pending = new Map<number, (r: AgentResponse) => void>();
  private exited: string | undefined;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {}

  /**
   * Starts the agent and waits until it is ready: Python starts in a few tens of milliseconds, but on a
   * machine busy with other work (parallel lanes included) it can take seconds, so the limit only
   * catches an agent that will never come up.
   */
  static async start(): Promise<AgentProcess> {
    const py = python();
    if (!py) throw new Error('`python3` not found (Debian: apt-get install python3): the end-to-end agent is a Python program');
    // -I -S: none of the user's environment or site packages, and no site import (faster start).
    const child = spawn(py, ['-I', '-S', AGENT, tool('ip')], { stdio: ['pipe', 'pipe', 'pipe'] });
    const agent = new AgentProcess(child);
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (stderr += d));
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`agent not ready after ${AGENT_START_MS / 1000} s`)), AGENT_START_MS);
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
        agent.exited = `agent exited (${signal ?? code}): ${stderr.trim()}`;
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

  request(ns: string, req: AgentRequest): Promise<AgentResponse> {
    if (this.exited) return Promise.resolve({ id: 0, ok: false, error: this.exited });
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.child.stdin.write(`${JSON.stringify({ ...req, ns, id })}\n`);
    });
  }

  /**
   * Ends the agent and every server it runs, and waits until it is gone: a namespace in which a live
   * process still has a socket outlives `ip netns del`.
   */
  kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGKILL');
    return gone;
  }
}

/** The agent as seen from one namespace: every request is served there. */
export interface Agent {
  readonly ns: string;
  request(req: AgentRequest): Promise<AgentResponse>;
}

/** The agent of one example, serving all its namespaces; close() ends it and every server. */
export class Agents {
  private process: Promise<AgentProcess> | undefined;

  async get(ns: string): Promise<Agent> {
    this.process ??= AgentProcess.start();
    const p = await this.process;
    return { ns, request: (req) => p.request(ns, req) };
  }

  async close(): Promise<void> {
    const p = this.process;
    this.process = undefined;
    if (!p) return;
    const settled = await Promise.allSettled([p]);
    if (settled[0].status === 'fulfilled') await settled[0].value.kill();
  }
}
