// Printing diagnostics: where a path points, how the path is spelled, the caret layout, colour only on
// request, and the --json shape. The messages here are fixed test strings: the layout is under test.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { error, warning, type Diagnostic } from '../src/diagnostics/diagnostic.ts';
import { diagnosticsToJson, formatDiagnostic, formatDiagnostics, formatPath, locate, type SourceFile } from '../src/diagnostics/format.ts';
import { parseSource } from '../src/parse/index.ts';

function source(text: string, file = 'x.yaml'): SourceFile {
  const p = parseSource(text, file);
  return { file, text, doc: p.doc, lineCounter: p.lineCounter };
}
const at = (d: Diagnostic, s: SourceFile) => {
  const p = locate(d, s.doc, s.lineCounter!);
  return `${p.line}:${p.col}-${p.endLine}:${p.endCol}`;
};

const TEXT = [
  'version: 1', //                                    1
  'networks:', //                                     2
  '  my-net:', //                                     3
  '    driver_opts:', //                              4
  '      com.docker.network.bridge.name: br0', //     5
  '    ipam:', //                                     6
  '      config:', //                                 7
  '        - subnet: 10.10.0.0/33', //                8
  'containers:', //                                   9
  '  web:', //                                        10
  '    dns: &d [10.0.0.1, 10.0.0.2]', //              11
  '  db:', //                                         12
  '    dns: *d', //                                   13
  '    hostname:', //                                 14
  '',
].join('\n');

test('formatPath: dots, [i], odd keys quoted', () => {
  assert.is(formatPath(['networks', 'my-net', 'ipam', 'config', 0, 'subnet']), 'networks.my-net.ipam.config[0].subnet');
  assert.is(formatPath(['networks', 'my-net', 'driver_opts', 'com.docker.network.bridge.name']), 'networks.my-net.driver_opts["com.docker.network.bridge.name"]');
  assert.is(formatPath(['containers', 'web', 'ports', 2]), 'containers.web.ports[2]');
  assert.is(formatPath(['networks', 'a b', 'x']), 'networks["a b"].x');
  assert.is(formatPath(['labels', '']), 'labels[""]');
  assert.is(formatPath(['labels', 'say "hi"']), 'labels["say \\"hi\\""]');
  assert.is(formatPath(['1abc', 'x_y-z']), '1abc.x_y-z');
  assert.is(formatPath([]), '');
});

test('locate: a value, a key, a dotted key', () => {
  const s = source(TEXT);
  assert.is(at(error('SCHEMA_FORMAT', ['networks', 'my-net', 'ipam', 'config', 0, 'subnet'], 'm'), s), '8:19-8:31');
  assert.is(at(error('SCHEMA_UNKNOWN_KEY', ['networks', 'my-net', 'ipam'], 'm', { atKey: true }), s), '6:5-6:9');
  assert.is(at(error('SCHEMA_TYPE', ['networks', 'my-net', 'driver_opts', 'com.docker.network.bridge.name'], 'm'), s), '5:39-5:42');
  assert.is(at(error('SCHEMA_TYPE', ['networks', 'my-net', 'driver_opts', 'com.docker.network.bridge.name'], 'm', { atKey: true }), s), '5:7-5:37');
  assert.is(at(error('SCHEMA_FORMAT', ['containers', 'web', 'dns', 1], 'm'), s), '11:24-11:32');
});

test('locate: a missing key walks up to the key holding its parent; a list item or the root to its start', () => {
  const s = source(TEXT);
  assert.is(at(error('SCHEMA_REQUIRED', ['containers', 'web', 'image'], 'm'), s), '10:3-10:6');
  assert.is(at(error('SCHEMA_REQUIRED', ['networks', 'my-net', 'ipam', 'config', 0, 'gateway'], 'm'), s), '8:11-8:12');
  assert.is(at(error('SCHEMA_REQUIRED', ['nope'], 'm'), s), '1:1-1:2');
  assert.is(at(error('SCHEMA_REQUIRED', ['containers', 'web', 'ports', 3, 'target'], 'm'), s), '10:3-10:6');
});

test('locate: an empty value points at its key; an alias resolves to the anchored node', () => {
  const s = source(TEXT);
  assert.is(at(error('SCHEMA_TYPE', ['containers', 'db', 'hostname'], 'm'), s), '14:5-14:13');
  assert.is(at(error('SCHEMA_FORMAT', ['containers', 'db', 'dns', 0], 'm'), s), '11:14-11:22');
});

test('locate: an explicit range wins over the path', () => {
  const s = source(TEXT);
  assert.is(at(error('YAML_SYNTAX', ['containers'], 'm', { range: [11, 19] }), s), '2:1-2:9');
});

test('formatDiagnostic: header, source line and caret under the value', () => {
  const s = source(TEXT, 'examples/x.yaml');
  const d = error('SCHEMA_FORMAT', ['networks', 'my-net', 'ipam', 'config', 0, 'subnet'], 'MESSAGE');
  assert.is(
    formatDiagnostic(d, s),
    [
      'examples/x.yaml:8:19: error: networks.my-net.ipam.config[0].subnet: MESSAGE',
      '   8 |         - subnet: 10.10.0.0/33',
      '     |                   ^^^^^^^^^^^^',
    ].join('\n'),
  );
});

test('formatDiagnostic: gutter width follows the line number; warnings; no path prefix for the document', () => {
  const text = `${'\n'.repeat(11)}version: 1\nname_resolution: x\n`;
  const s = source(text);
  assert.is(
    formatDiagnostic(warning('IGNORED', ['name_resolution'], 'W'), s),
    ['x.yaml:13:18: warning: name_resolution: W', '   13 | name_resolution: x', '      |                  ^'].join('\n'),
  );
  assert.is(formatDiagnostic(error('YAML_SYNTAX', [], 'S', { range: [11, 12] }), s).split('\n')[0], 'x.yaml:12:1: error: S');
});

test('formatDiagnostic: a span over several lines underlines the rest of the first line', () => {
  const s = source('version: 1\ncontainers:\n  web:\n    image: x\n');
  const out = formatDiagnostic(error('SCHEMA_TYPE', ['containers'], 'M'), s).split('\n');
  assert.is(out[0], 'x.yaml:3:3: error: containers: M');
  assert.is(out[2], '     |   ^^^^'); // "web:", up to the end of the line
});

test('formatDiagnostic: tabs before the column are kept so the caret lines up', () => {
  const text = 'version: 1\nhost: {name:\tx}\n';
  const s = source(text);
  const out = formatDiagnostic(error('SCHEMA_PATTERN', ['host', 'name'], 'M'), s).split('\n');
  assert.is(out[1], '   2 | host: {name:\tx}');
  assert.is(out[2], '     |             \t^');
});

test('formatDiagnostic: no colour unless asked', () => {
  const s = source(TEXT);
  const d = error('SCHEMA_FORMAT', ['networks', 'my-net', 'ipam', 'config', 0, 'subnet'], 'M');
  assert.not.ok(formatDiagnostic(d, s).includes('\x1b'));
  assert.not.ok(formatDiagnostic(d, s, { color: false }).includes('\x1b'));
  const coloured = formatDiagnostic(d, s, { color: true });
  assert.ok(coloured.includes('\x1b[31m'));
  assert.is(coloured.replace(/\x1b\[[0-9;]*m/g, ''), formatDiagnostic(d, s));
});

test('formatDiagnostic: an empty file has no source line to show', () => {
  const s = source('');
  assert.is(formatDiagnostic(error('SCHEMA_TYPE', [], 'EMPTY'), s), 'x.yaml:1:1: error: EMPTY');
});

test('a diagnostic about another file is printed against that file, or without position when it is absent', () => {
  const main = source(TEXT, 'main.yaml');
  const daemon = source('{"bip": "x",\n "mtu": -1}\n', 'daemon.json');
  const d = error('SCHEMA_RANGE', ['mtu'], 'M', { file: 'daemon.json' });
  assert.is(formatDiagnostics([d], [main, daemon]).split('\n')[0], 'daemon.json:2:9: error: mtu: M');
  assert.is(formatDiagnostics([d], [main]), 'daemon.json: error: mtu: M');
  // A source without a parsed document still places range-based diagnostics.
  const textOnly: SourceFile = { file: 'daemon.json', text: '{\n  "a": 1,\n' };
  assert.is(formatDiagnostic(error('YAML_SYNTAX', [], 'S', { range: [12, 12], file: 'daemon.json' }), textOnly).split('\n')[0], 'daemon.json:3:1: error: S');
});

test('formatDiagnostics sorts by file then position and separates with blank lines', () => {
  const s = source(TEXT);
  const late = error('SCHEMA_TYPE', ['containers', 'db', 'hostname'], 'LATE');
  const early = error('SCHEMA_ENUM', ['version'], 'EARLY');
  const out = formatDiagnostics([late, early], s);
  assert.ok(out.indexOf('EARLY') < out.indexOf('LATE'));
  assert.is(out.split('\n\n').length, 2);
});

test('diagnosticsToJson: the --json fields, positions 1-based, endCol exclusive', () => {
  const s = source(TEXT);
  const json = diagnosticsToJson([error('SCHEMA_FORMAT', ['networks', 'my-net', 'ipam', 'config', 0, 'subnet'], 'M')], s);
  assert.equal(json, [
    { file: 'x.yaml', line: 8, col: 19, endLine: 8, endCol: 31, severity: 'error', code: 'SCHEMA_FORMAT', path: ['networks', 'my-net', 'ipam', 'config', 0, 'subnet'], message: 'M' },
  ]);
  const other = diagnosticsToJson([error('DAEMON_FILE', ['daemon'], 'M', { file: 'gone.json' })], s);
  assert.equal(other, [{ file: 'gone.json', severity: 'error', code: 'DAEMON_FILE', path: ['daemon'], message: 'M' }]);
});

test('end to end: a real schema error prints at the value with the caret under it', async () => {
  const { validateSchema } = await import('../src/schema/index.ts');
  const text = 'version: 1\nnetworks:\n  n:\n    ipam:\n      config:\n        - subnet: 10.10.0.0/33\n';
  const p = parseSource(text, 'x.yaml');
  const [d] = validateSchema(p.value);
  assert.ok(d);
  const lines = formatDiagnostic(d, { file: 'x.yaml', text, doc: p.doc, lineCounter: p.lineCounter }).split('\n');
  assert.ok(lines[0]!.startsWith('x.yaml:6:19: error: networks.n.ipam.config[0].subnet: '), lines[0]);
  assert.is(lines[2], '     |                   ^^^^^^^^^^^^');
});

test.run();
