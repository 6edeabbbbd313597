// netform as a library: compile a network file in-process and list what a build would write.
// Run from the repository: node examples/library/compile.mjs examples/my-net.yaml
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { compile, diagnosticSources, formatDiagnostics, outputFiles } from 'netform';

const file = process.argv[2] ?? 'examples/my-net.yaml';
// The library never reads files itself: hand it the text, and a reader for a `daemon:` daemon.json path.
const result = compile({ file, text: readFileSync(file, 'utf8') }, (ref) => {
  const daemonFile = path.join(path.dirname(file), ref);
  try {
    return { file: daemonFile, text: readFileSync(daemonFile, 'utf8') };
  } catch (e) {
    return { error: e.message };
  }
}, { files: false });

if (result.diagnostics.length > 0) process.stderr.write(formatDiagnostics(result.diagnostics, diagnosticSources(result, file)));
if (!result.topologies) process.exit(1);

for (const t of result.topologies) {
  console.log(`host ${t.host}: ${t.bridges.length} bridges, ${t.containers.length} containers, firewall backend ${t.firewall.backend}`);
}
// Each output file, rendered when reached (`<host>/<path>` and its content, a string or string pieces).
for (const [rel, content] of outputFiles(result.topologies, file)) {
  const text = typeof content === 'string' ? content : [...content].join('');
  console.log(`${rel} ${text.length}`);
}
