// The program that runs inside a namespace (`ip netns exec <ns> node agent.mjs <path of ip>`): it
// starts servers and sends probes on request, one JSON object per line on stdin, answered on stdout.
// Servers answer every probe with who they are, the port they listen on and the peer address they
// saw, which is how a test tells DNAT and masquerade apart; they also remember each probe's token,
// so a request whose answer was lost can still be told from one that never arrived. It exits when
// stdin closes, so a crashed harness leaves no server behind. Node built-ins only: it is transpiled
// once per run (agent-process.ts) and must start fast.
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';
import readline from 'node:readline';

type Proto = 'tcp' | 'udp' | 'http';

export type AgentRequest =
  | { readonly id: number; readonly op: 'listen'; readonly label: string; readonly proto: Proto; readonly port: number }
  /** Sends `token` to host:port and waits for the answer. */
  | { readonly id: number; readonly op: 'probe'; readonly proto: Proto; readonly host: string; readonly port: number; readonly token: string; readonly timeoutMs: number }
  /** Whether a server of this agent received `token`, and from which peer. */
  | { readonly id: number; readonly op: 'seen'; readonly proto: Proto; readonly port: number; readonly token: string };

/** What a server says to every probe. */
export interface ServerAnswer {
  readonly server: string;
  readonly port: number;
  readonly peer: string;
}

export type AgentResponse =
  | { readonly id: number; readonly ok: true; readonly answer?: ServerAnswer; readonly seenFrom?: string | null }
  | { readonly id: number; readonly ok: false; readonly error: string };

const plain = (a: string | undefined): string => (a ?? '').replace(/^::ffff:/, '');
const answerText = (server: string, port: number, peer: string | undefined): string => JSON.stringify({ server, port, peer: plain(peer) });

/** The peer each probe token came from, by `proto/port/token`. Probes send "ping <token>". */
const seen = new Map<string, string>();
const record = (proto: Proto, port: number, payload: string, peer: string | undefined) => {
  const token = /^ping (\S+)/.exec(payload)?.[1];
  if (token) seen.set(`${proto}/${port}/${token}`, plain(peer));
};

function listenStream(server: net.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      // No IPv6 in this namespace: IPv4 only.
      if (e.code === 'EAFNOSUPPORT') server.listen({ port, host: '0.0.0.0' }, resolve);
      else reject(e);
    });
    server.listen({ port, host: '::', ipv6Only: false }, resolve);
  });
}

/**
 * Local addresses a UDP server binds one socket to, so each answer leaves from the address the
 * request was sent to. Read with `ip` (argv[2]): os.networkInterfaces() leaves out links whose
 * operational state is not up yet, which a link just created may not be.
 */
function localAddresses(): { address: string; family: 4 | 6 }[] {
  const text = execFileSync(process.argv[2] ?? 'ip', ['-o', 'addr', 'show'], { encoding: 'utf8' });
  return text
    .split('\n')
    .filter((l) => !/ scope link | tentative/.test(l))
    .flatMap((l) => {
      const m = / (inet6?) ([0-9a-fA-F.:]+)\//.exec(l);
      return m ? [{ address: m[2]!, family: m[1] === 'inet6' ? (6 as const) : (4 as const) }] : [];
    });
}

async function listen(label: string, proto: Proto, port: number): Promise<void> {
  if (proto === 'tcp') {
    const server = net.createServer((sock) => {
      sock.on('error', () => {});
      sock.setEncoding('utf8');
      sock.once('data', (d: string) => {
        record(proto, port, d, sock.remoteAddress);
        sock.end(`${answerText(label, port, sock.remoteAddress)}\n`);
      });
    });
    return listenStream(server, port);
  }
  if (proto === 'http') {
    const server = http.createServer((req, res) => {
      record(proto, port, `ping ${(req.url ?? '').slice(1)}`, req.socket.remoteAddress);
      res.setHeader('content-type', 'application/json');
      res.end(answerText(label, port, req.socket.remoteAddress));
    });
    return listenStream(server, port);
  }
  const addresses = localAddresses();
  if (!addresses.length) throw new Error('no local address to bind a UDP server to');
  await Promise.all(
    addresses.map(
      (a) =>
        new Promise<void>((resolve, reject) => {
          const s = dgram.createSocket({ type: a.family === 6 ? 'udp6' : 'udp4' });
          s.on('message', (msg, rinfo) => {
            record(proto, port, msg.toString('utf8'), rinfo.address);
            s.send(answerText(label, port, rinfo.address), rinfo.port, rinfo.address);
          });
          s.once('error', reject);
          s.bind(port, a.address, () => resolve());
        }),
    ),
  );
}

function settle(timeoutMs: number, start: (done: (r: { answer: string } | { error: string }) => void) => () => void): Promise<{ answer: string } | { error: string }> {
  return new Promise((resolve) => {
    let cleanup = () => {};
    const timer = setTimeout(() => done({ error: 'timeout' }), timeoutMs);
    function done(r: { answer: string } | { error: string }) {
      clearTimeout(timer);
      cleanup();
      resolve(r);
    }
    cleanup = start(done);
  });
}

const errorCode = (e: NodeJS.ErrnoException): string => e.code ?? e.message;

function probe(proto: Proto, host: string, port: number, token: string, timeoutMs: number) {
  if (proto === 'tcp') {
    return settle(timeoutMs, (done) => {
      let data = '';
      const sock = net.connect({ host, port });
      sock.setEncoding('utf8');
      sock.on('connect', () => sock.write(`ping ${token}\n`));
      sock.on('data', (d: string) => (data += d));
      sock.on('end', () => done(data ? { answer: data } : { error: 'closed without an answer' }));
      sock.on('error', (e) => done({ error: errorCode(e) }));
      return () => sock.destroy();
    });
  }
  if (proto === 'http') {
    return settle(timeoutMs, (done) => {
      const req = http.get({ host, port, path: `/${token}`, agent: false }, (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (data += d));
        res.on('end', () => done(res.statusCode === 200 ? { answer: data } : { error: `HTTP ${res.statusCode}` }));
      });
      req.on('error', (e) => done({ error: errorCode(e) }));
      return () => req.destroy();
    });
  }
  return settle(timeoutMs, (done) => {
    const s = dgram.createSocket({ type: net.isIPv6(host) ? 'udp6' : 'udp4' });
    s.on('message', (msg) => done({ answer: msg.toString('utf8') }));
    // A connected socket reports ICMP port/host unreachable as an error.
    s.on('error', (e) => done({ error: errorCode(e) }));
    s.connect(port, host, () => s.send(`ping ${token}`));
    return () => {
      try {
        s.close();
      } catch {
        // already closed
      }
    };
  });
}

async function handle(req: AgentRequest): Promise<AgentResponse> {
  try {
    if (req.op === 'listen') {
      await listen(req.label, req.proto, req.port);
      return { id: req.id, ok: true };
    }
    if (req.op === 'seen') return { id: req.id, ok: true, seenFrom: seen.get(`${req.proto}/${req.port}/${req.token}`) ?? null };
    const r = await probe(req.proto, req.host, req.port, req.token, req.timeoutMs);
    if ('error' in r) return { id: req.id, ok: false, error: r.error };
    return { id: req.id, ok: true, answer: JSON.parse(r.answer.trim()) as ServerAnswer };
  } catch (e) {
    return { id: req.id, ok: false, error: errorCode(e as NodeJS.ErrnoException) };
  }
}

const send = (r: AgentResponse | { ready: true }) => process.stdout.write(`${JSON.stringify(r)}\n`);
const lines = readline.createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim()) void handle(JSON.parse(line) as AgentRequest).then(send);
});
lines.on('close', () => process.exit(0));
send({ ready: true });
