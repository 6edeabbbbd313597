// GitHub Actions annotations: one workflow command per diagnostic, which GitHub shows on the line of the
// file in the pull request (docs.github.com, "Workflow commands for GitHub Actions": setting an error
// message). Escaped as @actions/core escapes them (toCommandValue / escapeData / escapeProperty): in
// the message % CR LF; in a property also : and , (the separators), so no input text can end the
// command or start another.
import path from 'node:path';
import { formatPath, type JsonDiagnostic } from '../diagnostics/format.ts';

const escapeData = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string): string => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** The file as GitHub names it: relative to the workspace when it is inside it, with forward slashes. */
function workspacePath(file: string, workspace: string | undefined): string {
  if (workspace) {
    const rel = path.relative(workspace, path.resolve(file));
    if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) return rel.split(path.sep).join('/');
  }
  return file.split(path.sep).join('/');
}

/** `::error file=...,line=...,col=...,endLine=...,endColumn=...,title=CODE::path: message`, one per line. */
export function annotations(diagnostics: readonly JsonDiagnostic[], workspace: string | undefined): string {
  let out = '';
  for (const d of diagnostics) {
    const props: [string, string | number][] = [['file', workspacePath(d.file, workspace)]];
    if (d.line !== undefined) {
      props.push(['line', d.line]);
      if (d.col !== undefined) props.push(['col', d.col]);
      if (d.endLine !== undefined) props.push(['endLine', d.endLine]);
      // GitHub's endColumn is the last column, inclusive; netform's endCol is the one past the end.
      if (d.endCol !== undefined && d.endLine === d.line && d.col !== undefined && d.endCol > d.col) props.push(['endColumn', d.endCol - 1]);
    }
    props.push(['title', d.code]);
    const where = formatPath(d.path);
    const message = `${where ? `${where}: ` : ''}${d.message}`;
    out += `::${d.severity} ${props.map(([k, v]) => `${k}=${escapeProperty(String(v))}`).join(',')}::${escapeData(message)}\n`;
  }
  return out;
}
