// `validate --format sarif`: the diagnostics as a SARIF 2.1.0 log (OASIS), the format GitHub code
// scanning uploads (github/codeql-action/upload-sarif). One run; the tool's rules are netform's
// diagnostic codes (src/diagnostics/codes.ts), each result points at its rule and at a region of the
// input file. Columns count UTF-16 code units, as netform's positions do (run.columnKind), and SARIF's
// endColumn is, like netform's endCol, the column just past the region. %SRCROOT% is left undefined in
// the log (the checkout's root, wherever it is): the same input gives the same log on any machine.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DIAGNOSTIC_CODES } from '../diagnostics/codes.ts';
import type { DiagnosticCode } from '../diagnostics/diagnostic.ts';
import { formatPath, type JsonDiagnostic } from '../diagnostics/format.ts';
import { VERSION } from '../version.ts';

const SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/**
 * A file as a URI reference: relative to `base` (the working directory, declared as %SRCROOT%) when it
 * is inside it, each segment percent-encoded; a file:// URL otherwise.
 */
function artifactLocation(file: string, base: string): { uri: string; uriBaseId?: string } {
  const abs = path.resolve(base, file);
  const rel = path.relative(base, abs);
  if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) {
    return { uri: rel.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
  }
  return { uri: pathToFileURL(abs).href };
}

/** UPPER_SNAKE -> UpperCamel, SARIF's convention for a rule's name. */
const ruleName = (code: string): string => code.toLowerCase().replace(/(^|_)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());

/** The SARIF log of `diagnostics`, `base` being the directory relative file names are read from. */
export function sarifLog(diagnostics: readonly JsonDiagnostic[], base: string): object {
  const codes = Object.keys(DIAGNOSTIC_CODES) as DiagnosticCode[];
  const index = new Map(codes.map((c, i) => [c, i]));
  const rules = codes.map((code) => ({
    id: code,
    name: ruleName(code),
    shortDescription: { text: DIAGNOSTIC_CODES[code] },
  }));
  const results = diagnostics.map((d) => {
    const region =
      d.line === undefined
        ? undefined
        : {
            startLine: d.line,
            ...(d.col !== undefined ? { startColumn: d.col } : {}),
            ...(d.endLine !== undefined ? { endLine: d.endLine } : {}),
            ...(d.endCol !== undefined ? { endColumn: d.endCol } : {}),
          };
    const where = formatPath(d.path);
    return {
      ruleId: d.code,
      ruleIndex: index.get(d.code)!,
      level: d.severity,
      message: { text: `${where ? `${where}: ` : ''}${d.message}` },
      locations: [{ physicalLocation: { artifactLocation: artifactLocation(d.file, base), ...(region ? { region } : {}) } }],
    };
  });
  return {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'netform', version: VERSION, semanticVersion: VERSION, rules } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}
