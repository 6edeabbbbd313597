// A long-lived TCP connection for the apply tests, run inside namespaces with `ip netns exec`:
//   node tcp-hold.mjs server PORT          echoes every line back
//   node tcp-hold.mjs client HOST PORT     one connection, a line every 100 ms, each echo awaited
// The client never reconnects: on stdin `status` it prints {"ok":..., "echoes":N, "error":...} as one
// line, ok being true while the first connection has carried every line back within 2 s. Node
// built-ins only; it exits when its stdin closes.
import net from 'node:net';
import readline from 'node:readline';

const [mode, a, b] = process.argv.slice(2);
const exitWithStdin = () => readline.createInterface({ input: process.stdin }).on('close', () => process.exit(0));

if (mode === 'server') {
  net
    .createServer((sock) => {
      sock.on('error', () => {});
      sock.pipe(sock);
    })
    .listen({ port: Number(a), host: '0.0.0.0' }, () => process.stdout.write('listening\n'));
  exitWithStdin();
} else {
  let echoes = 0;
  let error = null;
  let sent = 0;
  let lastEcho = Date.now();
  let buffer = '';
  const sock = net.connect({ host: a, port: Number(b) });
  sock.setEncoding('utf8');
  sock.on('connect', () => {
    process.stdout.write('connected\n');
    const timer = setInterval(() => {
      if (error) return clearInterval(timer);
      if (sent > echoes && Date.now() - lastEcho > 2000) error = `no echo for ${Date.now() - lastEcho} ms`;
      sock.write(`${++sent}\n`);
    }, 100);
  });
  sock.on('data', (d) => {
    buffer += d;
    const lines = buffer.split('\n');
    buffer = lines.pop();
    for (const l of lines) {
      if (Number(l) !== echoes + 1) error ??= `echo ${l} out of order after ${echoes}`;
      echoes++;
      lastEcho = Date.now();
    }
  });
  sock.on('error', (e) => (error ??= `socket error: ${e.code ?? e.message}`));
  sock.on('close', () => (error ??= 'connection closed'));
  readline
    .createInterface({ input: process.stdin })
    .on('line', (l) => {
      if (l.trim() === 'status') process.stdout.write(`${JSON.stringify({ ok: error === null && echoes > 0, echoes, error })}\n`);
    })
    .on('close', () => process.exit(0));
}
