// Hostile values and the checks that an output file kept its structure, shared by the hostile-input
// corpus (test/hostile-inputs.test.ts) and the fuzz run (test/fuzz.test.ts, bench/fuzz.ts).
import { compile, type CompileResult } from '../../src/compile.ts';
import { formatDiagnostics } from '../../src/diagnostics/format.ts';

/** Every payload carries MARK, so that where it landed in an output file can be found. */
export const MARK = 'PWN';

/** Values that would add a line, a record, a word or a command if written as they are. */
export const PAYLOADS: readonly string[] = [
  `${MARK}\n6.6.6.6 evil`,
  `${MARK}\rnameserver 6.6.6.6`,
  `${MARK}\r\n6.6.6.6 evil`,
  `${MARK}\u0000x`,
  `${MARK}#x`,
  `${MARK} x`,
  `${MARK}\tx`,
  `${MARK};x`,
  `${MARK}$(touch /tmp/netform-pwned)`,
  `${MARK}\`id\``,
  `${MARK}'q'`,
  `${MARK}"dq"`,
  `${MARK}\\`,
  `${MARK}\u2028x`,
  `${MARK}\u0085x`,
  `-${MARK}`,
  '',
];

/**
 * Where `payload` stands in a shell script with a meaning of its own: outside single quotes and comments
 * while it holds a character beyond [A-Za-z0-9_.-], or at the start of a word while it starts with "-".
 */
export function unquotedInShell(script: string, payload: string): number[] {
  const bad: number[] = [];
  const unsafe = /[^A-Za-z0-9_.-]/.test(payload);
  let state: 'plain' | 'single' | 'double' | 'comment' = 'plain';
  for (let i = 0; i < script.length; i++) {
    const ch = script[i]!;
    if (payload !== '' && script.startsWith(payload, i) && state !== 'single' && state !== 'comment') {
      if (unsafe || (payload.startsWith('-') && !/[A-Za-z0-9_.-]/.test(script[i - 1] ?? ' '))) bad.push(i);
    }
    if (state === 'comment') {
      if (ch === '\n') state = 'plain';
    } else if (state === 'single') {
      if (ch === "'") state = 'plain';
    } else if (state === 'double') {
      if (ch === '\\') i++;
      else if (ch === '"') state = 'plain';
    } else if (ch === '\\') i++;
    else if (ch === "'") state = 'single';
    else if (ch === '"') state = 'double';
    else if (ch === '#' && (i === 0 || /\s/.test(script[i - 1]!))) state = 'comment';
  }
  return bad;
}

/**
 * The problems of one output file whose input carried a payload, against the same file built from a
 * benign value; `ownLines`: the lines of the host's own files (resolv_conf, etc_hosts), which Docker copies.
 */
export function fileProblems(name: string, text: string, benign: string | undefined, payload: string, ownLines?: ReadonlySet<string>): string[] {
  const out: string[] = [];
  const base = name.split('/').pop()!;
  // A comment may quote the host's own file (resolv.conf's "# Invalid nameservers: [...]"), control characters and all.
  const ownText = [...(ownLines ?? [])].join('\n');
  const quoted = (l: string) => l.startsWith('#') && [...l.matchAll(/[\u0000\r\u2028\u0085]/g)].every((m) => ownText.includes(m[0]));
  const broken = text.split('\n').filter((l) => /[\u0000\r\u2028\u0085]/.test(l) && !ownLines?.has(l.trim()) && !quoted(l));
  if (!base.endsWith('.json') && broken.length > 0) out.push(`${name}: a NUL, CR or Unicode line break in the output`);
  // JSON may spread an empty list or mapping differently: JSON.parse below is its structural check.
  if (benign !== undefined && !base.endsWith('.json') && text.split('\n').length !== benign.split('\n').length) {
    out.push(`${name}: ${text.split('\n').length} lines, ${benign.split('\n').length} with a benign value`);
  }
  const lines = text.split('\n');
  if (base === 'hosts') {
    for (const l of lines) {
      if (l !== '' && !l.startsWith('#') && !/^[0-9a-fA-F.:]+\t[^\s#]+( [^\s#]+)*$/.test(l) && !ownLines?.has(l.trim())) out.push(`${name}: record "${l}"`);
    }
  } else if (base === 'resolv.conf') {
    for (const l of lines) {
      // A line of the host's own resolv_conf is the host's to write (Docker keeps what it does not know),
      // and so is what is left of one: Docker 20.10's nsIPv6Regexp cuts "nameserver ::192.168.124.1" to ".168.124.1".
      if (l !== '' && !l.startsWith('#') && !/^(nameserver|search|options|domain|sortlist) \S/.test(l) && !ownText.includes(l.trim())) out.push(`${name}: line "${l}"`);
      if (l.startsWith('nameserver') && l.includes(MARK)) out.push(`${name}: a nameserver line carries the payload`);
    }
  } else if (base.endsWith('.sh')) {
    if (unquotedInShell(text, payload).length > 0) out.push(`${name}: the payload stands outside single quotes`);
  } else if (base.endsWith('.json')) {
    try {
      JSON.parse(text);
    } catch (e) {
      out.push(`${name}: not JSON (${(e as Error).message})`);
    }
  } else if (base.endsWith('.rules')) {
    // iptables-restore splits a rule into words at spaces, honouring double quotes.
    for (const l of lines) if (payload !== '' && l.includes(payload) && !l.includes(`"${payload}`) && /[^A-Za-z0-9_.-]|^-/.test(payload)) out.push(`${name}: payload outside a quoted comment: ${l}`);
  }
  return out;
}

export interface Verdict {
  /** Refused: every error has a file:line:col position. */
  readonly refused: boolean;
  readonly problems: readonly string[];
}

/**
 * Compiles `text` (named `file`) and judges it: refused with positions, or built into files that each
 * keep the structure of `benign`'s (the same input with a harmless value).
 */
export function judge(file: string, text: string, payload: string, benign?: CompileResult): Verdict {
  const r = compile({ file, text });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    const problems: string[] = [];
    const printed = formatDiagnostics(errors, [...r.sources].map(([f, s]) => ({ file: f, text: s.text, doc: s.parsed?.doc, lineCounter: s.parsed?.lineCounter })));
    for (const block of printed.split('\n\n')) {
      const header = block.split('\n')[0]!;
      if (!/^.+:\d+:\d+: error: /.test(header)) problems.push(`an error without a position: ${header}`);
    }
    for (const d of errors) if (/[\n\r]/.test(d.message)) problems.push(`a message with a line break: ${JSON.stringify(d.message)}`);
    return { refused: true, problems };
  }
  if (!r.files) return { refused: false, problems: ['no error and no files'] };
  const problems: string[] = [];
  for (const [name, content] of r.files) problems.push(...fileProblems(name, content, benign?.files?.get(name), payload));
  return { refused: false, problems };
}
