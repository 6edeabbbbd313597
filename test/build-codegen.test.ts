// What the build generates ahead of time must behave exactly as what the run-time paths compile: the
// standalone schema validator (tools/codegen.ts) against ajv compiling the schema, the precompiled
// templates against Handlebars compiling them, and topology.json written in pieces against
// JSON.stringify. The bundle uses the former, tsx and the other tests the latter.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ValidateFunction } from 'ajv';
import { parseSource } from '../src/parse/index.ts';
import { schemaValidator } from '../src/schema/index.ts';
import { jsonPieces } from '../src/render/files/json.ts';
import { template, templateFromSpec } from '../src/render/template/handlebars.ts';
import { scriptView } from '../src/render/script/index.ts';
import { TEMPLATES } from '../src/render/script/templates.ts';
import { precompiledTemplatesSource, standaloneValidatorSource } from '../tools/codegen.ts';
import { buildExample, exampleNames, examples, REPO } from './support/examples.ts';

const require = createRequire(import.meta.url);

function standaloneValidator(): ValidateFunction {
  const code = standaloneValidatorSource(path.join(REPO, 'src', 'schema', 'ajv-config.ts'));
  const module = { exports: {} as unknown };
  new Function('require', 'module', 'exports', code)(require, module, module.exports);
  return module.exports as ValidateFunction;
}

/** Values to validate: every example and the reference example of docs/input.md, and broken variants. */
function corpus(): unknown[] {
  const docs: unknown[] = [];
  for (const e of examples()) docs.push(parseSource(readFileSync(path.join(REPO, e.file), 'utf8'), e.name).value);
  const md = readFileSync(path.join(REPO, 'docs', 'input.md'), 'utf8');
  for (const m of md.matchAll(/```yaml\n([\s\S]*?)```/g)) {
    const p = parseSource(m[1]!, 'input.md');
    if (p.diagnostics.every((d) => d.severity !== 'error')) docs.push(p.value);
  }
  // Each leaf replaced by values of other types, and each mapping given an unknown key.
  const wrong: unknown[] = [7, 'x', true, null, [], {}, '10.0.0.300', 'fe80::1%eth0', -1];
  const out: unknown[] = [];
  for (const doc of docs) {
    out.push(doc);
    const work = structuredClone(doc);
    const visit = (node: unknown, replace: (v: unknown) => void): void => {
      if (Array.isArray(node)) node.forEach((v, i) => visit(v, (x) => (node[i] = x)));
      else if (node !== null && typeof node === 'object') {
        const o = node as Record<string, unknown>;
        o['no_such_key'] = 1;
        out.push(structuredClone(work));
        delete o['no_such_key'];
        for (const k of Object.keys(o)) visit(o[k], (x) => (o[k] = x));
      } else {
        for (const w of wrong) {
          replace(w);
          out.push(structuredClone(work));
        }
        replace(node);
      }
    };
    visit(work, () => {});
  }
  return out;
}

test('the standalone validator answers as the run-time one, with the same errors', () => {
  const runtime = schemaValidator();
  const standalone = standaloneValidator();
  const values = corpus();
  assert.ok(values.length > 1000, `only ${values.length} values`);
  let invalid = 0;
  for (const v of values) {
    const a = runtime(v);
    const aErrors = JSON.stringify(runtime.errors);
    const b = standalone(v);
    const bErrors = JSON.stringify(standalone.errors);
    assert.is(b, a, JSON.stringify(v).slice(0, 200));
    assert.is(bErrors, aErrors);
    if (!a) invalid++;
  }
  assert.ok(invalid > 1000 && values.length - invalid > 100, `${invalid} of ${values.length} values invalid`);
});

test('precompiled templates render as the run-time compiled ones', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netform-templates-'));
  try {
    const file = path.join(dir, 'specs.mjs');
    writeFileSync(file, precompiledTemplatesSource());
    const { templateSpec } = (await import(pathToFileURL(file).href)) as { templateSpec: (n: string, s: string) => TemplateSpecification };
    assert.throws(() => templateSpec('setup.sh', 'something else'), /not precompiled from this source/);
    let checked = 0;
    for (const name of exampleNames()) {
      const t = buildExample(name).topology;
      if (!t) continue;
      const view = scriptView(t, `${name}.yaml`);
      for (const [file, source] of Object.entries(TEMPLATES)) {
        const expected = template(file, source)(view);
        assert.ok(expected.length > 0);
        assert.fixture(templateFromSpec(templateSpec(file, source))(view), expected);
        checked++;
      }
    }
    assert.ok(checked >= 20, `only ${checked} renders compared`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('topology.json in pieces is JSON.stringify(topology, null, 2), byte for byte', () => {
  for (const name of exampleNames()) {
    const t = buildExample(name).topology;
    if (t) assert.fixture([...jsonPieces(t)].join(''), JSON.stringify(t, null, 2));
  }
  // Long arrays (cut in slices), long arrays of big elements, short arrays holding long ones, values
  // JSON leaves out or turns into null, toJSON, empty containers, keys that need escaping.
  const long = (n: number, f: (i: number) => unknown) => Array.from({ length: n }, (_, i) => f(i));
  const cases: unknown[] = [
    { a: long(1000, (i) => ({ i, s: `x${i}`, nested: { list: [i, 'y'], empty: [], o: {} } })) },
    { tables: [{ name: 't', chains: [{ rules: long(700, (i) => ({ n: i, f: undefined, g: () => 1 })) }, { rules: [] }] }] },
    long(300, (i) => (i % 7 === 0 ? undefined : i % 11 === 0 ? () => 0 : { i })),
    long(260, (i) => long(300, (j) => i * j)),
    { big: long(5000, (i) => i), d: new Date(0), 'quo"te\\n': 'line\nbreak', u: undefined, z: null },
    [],
    {},
    { deep: { er: { still: long(256, (i) => ({ s: 'a\n b', i })) } } },
  ];
  for (const c of cases) assert.fixture([...jsonPieces(c)].join(''), JSON.stringify(c, null, 2));
});

test.run();
