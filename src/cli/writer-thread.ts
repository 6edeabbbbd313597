// A writer thread for output-dir.ts: this thread renders the files of a build, the writer thread makes
// the directories and writes the small files, in the order it is given them. At 10,000 containers a
// build writes 20,000 files of a few hundred bytes; the system calls for them (open, write, close,
// mkdir) take a CPU of their own, and the renderer does not wait for them.
//
// The caller stays synchronous. Operations go out in batches with postMessage, each batch one string
// (a structured clone of one string costs far less than one of thousands of small arrays): per
// operation a letter, then each argument as `<length>:<text>`:
//   d<dir>            mkdir -p (the caller may have made the directory itself already)
//   f<file><content>  write the file      x<file><content>  write it, then chmod 0755
// A shared counter of the characters not yet written holds the renderer back when the writer falls
// behind (at most PENDING_LIMIT characters in flight). At the end the caller blocks (Atomics.wait) until
// the writer says it is done, and reads the outcome with receiveMessageOnPort. The writer stops at its
// first error and reports it then; the caller, which checks between batches, stops rendering early.
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';

export interface Writer {
  mkdir(dir: string): void;
  file(file: string, content: string, executable: boolean): void;
  /** Blocks until every operation sent is done; throws the writer's first error. */
  finish(): void;
  /** Tells the writer to skip what it has not done yet and waits for it to stop (an error is being handled). */
  abandon(): void;
}

// Slots of the shared Int32Array.
const PENDING = 0; // characters sent and not yet written
const STATE = 1; // 0 writing, 1 failed, 2 abandon requested
const DONE = 2; // 1 once the writer has answered the end message

const PENDING_LIMIT = 1 << 23;
const BATCH_CHARS = 1 << 18;
/** How long the caller waits without the writer making any progress before it gives up. */
const STALL_MS = 120_000;

// Plain JavaScript, run with `eval: true` (the bundle has no file for it). It must not throw: every
// operation is in a try, and the counter is always brought down.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { shared, port } = workerData;
let error;
parentPort.on('message', (msg) => {
  if (msg.end) {
    port.postMessage(error ? { error: { message: String(error.message), code: error.code } } : { ok: true });
    Atomics.store(shared, ${DONE}, 1);
    Atomics.notify(shared, ${DONE});
    parentPort.close();
    return;
  }
  const s = msg.batch;
  let i = 0;
  const arg = () => {
    const colon = s.indexOf(':', i);
    const n = Number(s.slice(i, colon));
    i = colon + 1 + n;
    return s.slice(colon + 1, i);
  };
  while (i < s.length && !error && Atomics.load(shared, ${STATE}) === 0) {
    const op = s[i++];
    try {
      if (op === 'd') fs.mkdirSync(arg(), { recursive: true });
      else {
        const file = arg();
        fs.writeFileSync(file, arg());
        if (op === 'x') fs.chmodSync(file, 0o755);
      }
    } catch (e) {
      error = e;
      Atomics.store(shared, ${STATE}, 1);
    }
  }
  Atomics.sub(shared, ${PENDING}, s.length);
  Atomics.notify(shared, ${PENDING});
});
`;

type Reply = { ok?: true; error?: { message: string; code?: string } };

export function startWriter(): Writer {
  const shared = new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { shared, port: port2 }, transferList: [port2] });
  // Never keeps the process alive: the caller waits for it explicitly.
  worker.unref();
  port1.unref();

  let batch = '';
  let ended = false;

  /** Waits until `done` holds for slot `i`, failing when the writer makes no progress for STALL_MS. */
  const waitFor = (i: number, done: (v: number) => boolean): void => {
    let last = Atomics.load(shared, i);
    let since = Date.now();
    while (!done(last)) {
      Atomics.wait(shared, i, last, 1000);
      const now = Atomics.load(shared, i);
      if (now !== last) {
        last = now;
        since = Date.now();
      } else if (Date.now() - since > STALL_MS) {
        void worker.terminate();
        throw new Error(`the writer thread made no progress for ${STALL_MS / 1000} s`);
      }
    }
  };

  const post = (): void => {
    if (batch === '') return;
    Atomics.add(shared, PENDING, batch.length);
    worker.postMessage({ batch });
    batch = '';
    waitFor(PENDING, (v) => v <= PENDING_LIMIT);
  };

  const end = (): Reply => {
    ended = true;
    worker.postMessage({ end: true });
    waitFor(DONE, (v) => v === 1);
    const reply = receiveMessageOnPort(port1)?.message as Reply | undefined;
    port1.close();
    return reply ?? { error: { message: 'the writer thread ended without an answer' } };
  };

  const finish = (): void => {
    post();
    const reply = end();
    if (reply.error) throw Object.assign(new Error(reply.error.message), reply.error.code ? { code: reply.error.code } : {});
  };

  const add = (op: string): void => {
    batch += op;
    if (batch.length < BATCH_CHARS) return;
    post();
    // The writer has failed: stop rendering now rather than at the end.
    if (Atomics.load(shared, STATE) === 1) finish();
  };

  return {
    mkdir: (dir) => add(`d${dir.length}:${dir}`),
    file: (file, content, executable) => add(`${executable ? 'x' : 'f'}${file.length}:${file}${content.length}:${content}`),
    finish,
    abandon() {
      if (ended) return;
      batch = '';
      Atomics.store(shared, STATE, 2);
      try {
        end();
      } catch {
        // already failing: the caller's error is the one to report
      }
    },
  };
}
