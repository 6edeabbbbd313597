// Swarm's address resources are shared by the fleet (the default address pool, the ingress network's
// subnet): when one runs out, the error says what ran out and how much the swarm needs, and sits at the
// line of the setting to change, or at `networks:` when the file writes none.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fleetYaml } from '../bench/generate-fleet.ts';
import { compile, diagnosticSources } from '../src/compile.ts';
import { diagnosticsToJson, type JsonDiagnostic } from '../src/diagnostics/format.ts';

const FILE = 'fleet.yaml';

/** The errors of compiling `text`, with their lines. */
function errors(text: string): JsonDiagnostic[] {
  const result = compile({ file: FILE, text }, undefined, { files: false });
  return diagnosticsToJson(result.diagnostics, diagnosticSources(result, FILE)).filter((d) => d.severity === 'error');
}

const lineOf = (text: string, start: string): number => text.split('\n').findIndex((l) => l.startsWith(start)) + 1;

// Docker's default ingress (10.0.0.0/24) has 253 addresses besides its gateway: 260 nodes do not fit.
const noIngress = fleetYaml({ hosts: 260, containersPerHost: 1, ingressSubnet: false });

test("Docker's default ingress out of addresses: at networks:, how to declare a bigger one", () => {
  const [e, ...more] = errors(noIngress);
  assert.equal(more, []);
  assert.is(e!.code, 'POOL_EXHAUSTED');
  assert.is(e!.line, lineOf(noIngress, 'networks:'));
  assert.match(e!.message, `no free IPv4 address left in 10.0.0.0/24 of swarm's default ingress network "ingress": the swarm needs 260 addresses there (260 nodes' ingress sandboxes), 253 fit`);
  assert.match(e!.message, 'declare the ingress network with a /23 or bigger subnet');
  assert.match(e!.message, 'swarm.default_addr_pool_mask_length: 23');
});

test('a declared ingress subnet too small: at the subnet line', () => {
  const text = fleetYaml({ hosts: 260, containersPerHost: 1, ingressSubnet: '10.255.0.0/24' });
  const [e, ...more] = errors(text);
  assert.equal(more, []);
  assert.is(e!.line, lineOf(text, '      config: [{subnet: 10.255.0.0/24}]'));
  assert.match(e!.message, 'of network "ingress": the swarm needs 260 addresses there');
  assert.match(e!.message, 'make this subnet a /23 or bigger');
});

test('a declared ingress without a subnet: at its name, give it one', () => {
  const text = fleetYaml({ hosts: 260, containersPerHost: 1, ingressSubnet: false }).replace('networks:\n', 'networks:\n  ingress:\n    driver: overlay\n    ingress: true\n');
  const [e, ...more] = errors(text);
  assert.equal(more, []);
  assert.is(e!.line, lineOf(text, '  ingress:'));
  assert.match(e!.message, 'no free IPv4 address left in 10.0.0.0/24 of network "ingress"');
  assert.match(e!.message, 'give network "ingress" a /23 or bigger subnet');
});

test('the ingress out of addresses with the pool mask length set: at swarm.default_addr_pool_mask_length', () => {
  const text = noIngress.replace('version: 1\n', 'version: 1\nswarm:\n  default_addr_pool_mask_length: 24\n');
  const [e] = errors(text);
  assert.is(e!.line, lineOf(text, '  default_addr_pool_mask_length: 24'));
  assert.match(e!.message, 'swarm.default_addr_pool_mask_length: 23');
});

test('the default address pool out of subnets: one error at swarm.default_addr_pool, naming the first overlay left out', () => {
  // 60 hosts: ov-0 .. ov-5; a /22 holds four /24s.
  const text = fleetYaml({ hosts: 60, containersPerHost: 1 }).replace('version: 1\n', 'version: 1\nswarm:\n  default_addr_pool: [10.0.0.0/22]\n');
  const [e, ...more] = errors(text);
  assert.equal(more, []);
  assert.is(e!.code, 'POOL_EXHAUSTED');
  assert.is(e!.line, lineOf(text, '  default_addr_pool: [10.0.0.0/22]'));
  assert.match(e!.message, `the swarm's default address pool (10.0.0.0/22 in /24 subnets) has no free IPv4 subnet left for overlay network "ov-4" (and 1 more)`);
  assert.match(e!.message, 'add prefixes to swarm.default_addr_pool');
});

test('a fleet that fits has no error', () => {
  assert.equal(errors(fleetYaml({ hosts: 260, containersPerHost: 1 })), []);
});

test.run();
