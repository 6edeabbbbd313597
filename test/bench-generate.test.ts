// The benchmark's generator (bench/generate.ts): its YAML says what its data says, a smaller case is a
// prefix of a bigger one, published host ports never collide, and netform accepts what it makes.
import { isDeepStrictEqual } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import YAML from 'yaml';
import { generate, portSpec, toDocument, toJson, toYaml } from '../bench/generate.ts';
import { compile } from '../src/compile.ts';

test('the YAML and the JSON are the same data', () => {
  const g = generate({ networks: 12, containers: 40, ports: 90 });
  assert.ok(isDeepStrictEqual(YAML.parse(toYaml(g)), toDocument(g)));
  assert.ok(isDeepStrictEqual(JSON.parse(toJson(g)), toDocument(g)));
});

test('a case with the same networks and fewer containers and ports is a prefix', () => {
  const small = generate({ networks: 10, containers: 50, ports: 100 });
  const big = generate({ networks: 10, containers: 200, ports: 400 });
  assert.equal(small.networks, big.networks);
  assert.equal(small.containers, big.containers.slice(0, 50));
});

test('published host ports are unique per protocol and address, at any count', () => {
  const seen = new Set<string>();
  for (let k = 0; k < 200_000; k += 7) {
    const spec = portSpec(k);
    const udp = spec.endsWith('/udp');
    const parts = spec.replace(/\/udp$/, '').split(':');
    const key = udp ? `udp ${parts[0]}` : `tcp ${parts[0]} ${parts[1]}`;
    assert.not.ok(seen.has(key), `${spec} collides`);
    seen.add(key);
  }
});

test('netform builds a generated topology without a diagnostic', () => {
  const g = generate({ networks: 9, containers: 60, ports: 120 });
  const r = compile({ file: 'gen.yaml', text: toYaml(g) });
  assert.equal(r.diagnostics.map((d) => `${d.code} ${d.path.join('.')}: ${d.message}`), []);
  assert.ok(r.files);
  assert.is(r.topology!.ports.filter((p) => p.mapper === 'nat').length >= 120, true);
});

test.run();
