// The packet tracer against every e2e matrix, without a kernel: each connection probe's expectation
// (which the e2e suite checks in a real kernel) must be what the tracer says, in the sandbox's world, on
// both firewall backends (every example Docker 29 can run with firewall-backend: nftables, built so).
// Whether br_netfilter is loaded is left unknown: a probe marked `needs: br_netfilter` is on a host where
// Docker turns it on, and every other probe must hold either way. The e2e suite itself compares the
// tracer with the kernel's answers, probe by probe (examples.test.ts).
import { existsSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildExample, exampleNames } from '../support/examples.ts';
import { judgeWithTracer, traceWorld } from './harness/tracer.ts';
import { withBackend, type Backend } from './harness/backend.ts';
import { matrixPath, prepareExample } from './harness/run-example.ts';

const names = exampleNames().filter((n) => existsSync(matrixPath(n)));

/** Whether the example's build on `backend` fails only for what dockerd refuses on it. */
function refused(name: string, backend: Backend): boolean {
  const errors = buildExample(name, {}, (source, read) => withBackend(source, read, backend)).diagnostics.filter((d) => d.severity === 'error');
  return errors.length > 0 && errors.every((d) => d.code === 'UNSUPPORTED');
}

/** Every connection probe of every matrix the example builds for, traced without a kernel. */
function traceMatrices(backend: Backend): { compared: number; wrong: string[]; unknown: string[]; unknownProbes: Set<string>; built: number } {
  const wrong: string[] = [];
  const unknown: string[] = [];
  const unknownProbes = new Set<string>();
  let compared = 0;
  let built = 0;
  for (const name of names) {
    // An example Docker 29 cannot run on this backend (the e2e suite skips it with the same reason);
    // any other error (an `expect:` the tracer contradicts) fails below.
    if (backend !== 'iptables' && refused(name, backend)) continue;
    built++;
    const { world, matrix } = prepareExample(name, 'tr-', backend);
    const tw = traceWorld(world, matrix.outsideRoutes);
    for (const p of matrix.probes) {
      if (p.kind !== 'conn' || p.knownBug) continue;
      compared++;
      const j = judgeWithTracer(p, world, tw);
      const line = `${name}: ${p.text} (expects ${p.expect} ${p.server.server}:${p.server.port}${p.source ? ` from ${p.source}` : ''}): ${j.detail}`;
      if (j.agrees === 'unknown') {
        unknown.push(line);
        unknownProbes.add(`${name}: ${p.text}`);
      } else if (!j.agrees) wrong.push(line);
    }
  }
  return { compared, wrong, unknown, unknownProbes, built };
}

const unknownWithIptables = new Set<string>();

for (const backend of ['iptables', 'nftables'] as const) {
  test(`the tracer says what every e2e matrix expects of every connection probe (${backend})`, () => {
    const { compared, wrong, unknown, unknownProbes, built } = traceMatrices(backend);
    console.log(`tracer vs matrices (${backend}, ${built} examples): ${compared} connection probes, ${compared - wrong.length - unknown.length} agree, ${unknown.length} unknown, ${wrong.length} disagree`);
    for (const u of unknown) console.log(`  unknown: ${u}`);
    for (const w of wrong) console.log(`  DISAGREES: ${w}`);
    // Of 32 examples with a matrix, 22 build with nftables (not the older engines, nor swarm mode).
    assert.ok(compared > (backend === 'iptables' ? 250 : 150), `only ${compared} probes`);
    assert.equal(wrong, []);
    // Docker's nft tables are evaluated as fully as its iptables rules: no probe the tracer judges on
    // iptables is unknown on nftables (what stays unknown is beyond the firewall: docker-proxy, IPVS).
    if (backend === 'iptables') for (const u of unknownProbes) unknownWithIptables.add(u);
    else assert.equal([...unknownProbes].filter((u) => !unknownWithIptables.has(u)), []);
  });
}

test.run();
