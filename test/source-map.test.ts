// Source maps: every line of every rules file, script, hosts and resolv.conf of every example has an
// origin that resolves to a line of its YAML (or of a file it names) or is a named implicit origin; the
// scripts rendered with origin markers are, once the markers are removed, the files a build writes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { outputSourceMaps, resultResolver } from '../src/compile.ts';
import { annotatedScripts } from '../src/render/script/index.ts';
import { contentText, hostFiles } from '../src/render/files/index.ts';
import type { SourceMap } from '../src/render/source-map.ts';
import { buildExample, exampleNames } from './support/examples.ts';

test('every line of every mapped file of every example has an origin that resolves', () => {
  const problems: string[] = [];
  let lines = 0;
  let files = 0;
  for (const name of exampleNames()) {
    const r = buildExample(name);
    if (!r.topologies || !r.files) continue;
    for (const [rel, text] of outputSourceMaps(r.topologies, `examples/${name}.yaml`, { resolve: resultResolver(r), sourceRef: (file) => ({ path: file, sha256: '' }) })) {
      files++;
      const map = JSON.parse(text) as SourceMap;
      const output = r.files.get(rel.slice(0, -'.map'.length));
      if (output === undefined) problems.push(`${name}: ${rel} maps no output file`);
      const count = (output ?? '').split('\n').length - 1;
      if (map.lines.length !== count) problems.push(`${name}: ${rel}: ${map.lines.length} mapped lines for ${count}`);
      map.lines.forEach((origins, i) => {
        lines++;
        if (origins.length === 0) problems.push(`${name}: ${rel}:${i + 1}: no origin`);
        for (const o of origins) if ('unresolved' in o) problems.push(`${name}: ${rel}:${i + 1}: ${o.unresolved} names nothing in the input`);
      });
    }
  }
  console.log(`source maps: ${files} files, ${lines} lines`);
  assert.ok(files > 300 && lines > 10000, `only ${files} maps, ${lines} lines`);
  assert.equal(problems.slice(0, 20), []);
});

test('setup.sh and teardown.sh rendered with origin markers are, without them, the files of the build', () => {
  const different: string[] = [];
  for (const name of exampleNames()) {
    const r = buildExample(name);
    for (const t of r.topologies ?? []) {
      const files = new Map([...hostFiles(t, `${name}.yaml`)].map(([k, v]) => [k, contentText(v)]));
      for (const [file, a] of annotatedScripts(t, { source: `${name}.yaml` })) if (a.text !== files.get(file)) different.push(`${name} ${t.host} ${file}`);
    }
  }
  assert.equal(different, []);
});

test('a rule, a script line and a resolv.conf line point at the YAML that made them', () => {
  const r = buildExample('my-net');
  const maps = new Map([...outputSourceMaps(r.topologies!, 'examples/my-net.yaml', { resolve: resultResolver(r), sourceRef: (file) => ({ path: file, sha256: '' }) })].map(([k, v]) => [k, JSON.parse(v) as SourceMap]));
  const originAt = (file: string, pattern: RegExp) => {
    const lines = r.files!.get(file)!.split('\n');
    const i = lines.findIndex((l) => pattern.test(l));
    assert.ok(i >= 0, `${file}: no line ${pattern}`);
    return maps.get(`${file}.map`)!.lines[i]!;
  };
  // -p 8080:80 is line 18, column 13 of examples/my-net.yaml.
  assert.equal(originAt('local/iptables.rules', /-j DNAT/), [{ source: 0, line: 18, col: 13, endLine: 18, endCol: 22, path: ['containers', 'my-nginx', 'ports', 0] }]);
  assert.equal(originAt('local/iptables.rules', /^COMMIT$/), [{ implicit: 'engine 29 layout' }]);
  assert.equal(originAt('local/iptables.rules', /-A DOCKER-USER|-j DOCKER-USER/), [{ implicit: 'daemon default' }]);
  assert.equal(originAt('local/setup.sh', /addr add 172\.18\.0\.1\/16/)[0], { source: 0, line: 12, col: 3, endLine: 12, endCol: 9, path: ['networks', 'my-net'] });
  assert.equal(originAt('local/setup.sh', /^set -eu$/), [{ implicit: 'netform scaffolding' }]);
  assert.equal(originAt('local/containers/my-nginx/resolv.conf', /^nameserver 127\.0\.0\.11$/), [{ implicit: 'embedded dns' }]);
  assert.equal(originAt('local/containers/my-nginx/resolv.conf', /^search /)[0], { source: 0, line: 7, col: 16, endLine: 10, endCol: 1, path: ['host', 'resolv_conf'] });
  assert.equal(originAt('local/containers/my-nginx/hosts', /my-nginx$/)[0], { source: 0, line: 17, col: 16, endLine: 17, endCol: 22, path: ['containers', 'my-nginx', 'networks', 0] });
});

test.run();
