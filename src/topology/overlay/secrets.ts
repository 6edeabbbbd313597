// The `--secrets FILE` of `netform build`: the key material of encrypted overlays, kept out of the
// network YAML so that the YAML, the goldens, the plans and the logs never hold it.
//
// Format (YAML; JSON is accepted too, being YAML):
//
//   overlay_keys:                                # the swarm's datapath keys, PRIMARY FIRST
//     - key: 0x00112233445566778899aabbccddeeff  # 16 bytes in hex (AES-128, what swarm generates);
//       tag: 2                                   #   24 or 32 bytes are accepted too; `0x` is optional
//     - key: ffeeddccbbaa99887766554433221100    # further keys: receive only
//       tag: 1                                   # a decimal integer 0..4294967295, unique in the list
//
// What Docker does with the list (daemon/libnetwork/drivers/overlay/encryption.go, Docker 29):
// - The overlay driver receives the swarm's "networking:ipsec" keys as parallel lists of key bytes and
//   tags (setKeys, from discoverapi.DriverEncryptionConfig). A tag is the key's swarm LamportTime
//   (a uint64, stored as `uint32(tag)`); it is mixed into every SPI (buildSPI), so two keys must not
//   share one.
// - Position 0 is the primary key: "The primary key is the key used in transmission and will go in
//   first position in the list" (updateKeys). setupEncryption programs, per peer, forward (transmit)
//   and reverse (receive) SAs plus the OUT policy for the primary key, and only reverse SAs for the
//   others, so that traffic from a peer still sending with another key of the ring is accepted.
// - Swarm's key manager keeps a ring of 3 AES_128_GCM keys of DefaultKeyLen = 16 bytes
//   (vendor/github.com/moby/swarmkit/v2/manager/keymanager/keymanager.go), and libnetwork hands them
//   over sorted by LamportTime with the first two swapped (agent.go getKeys), which makes the
//   second-oldest key primary. netform does not re-sort: the file states the driver's order directly.
//
// Key bytes never appear in a diagnostic, and the parsed keys are wrapped in KeyMaterial, whose
// string, JSON and inspect forms are redacted. Diagnostics come with `source`, a copy of the file in
// which every key value (and any long hexadecimal run) is masked, so the usual caret display can show
// the offending line safely: print them with that source, never with the raw text.
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair, type Scalar } from 'yaml';
import type { Diagnostic, DiagnosticCode, YamlPath } from '../../diagnostics/diagnostic.ts';
import type { SourceFile } from '../../diagnostics/format.ts';

// ----- key material ------------------------------------------------------------------------------------

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * Secret bytes that do not print themselves: String(), JSON.stringify() and console.log() show a
 * redacted placeholder. Only the renderer of the 0600 file calls reveal()/revealHex().
 */
export class KeyMaterial {
  readonly #bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.#bytes = Uint8Array.from(bytes);
  }

  get length(): number {
    return this.#bytes.length;
  }

  /** The bytes followed by `suffix` (e.g. the 4-byte salt of an AEAD key), as new key material. */
  concat(suffix: Uint8Array): KeyMaterial {
    const out = new Uint8Array(this.#bytes.length + suffix.length);
    out.set(this.#bytes, 0);
    out.set(suffix, this.#bytes.length);
    return new KeyMaterial(out);
  }

  equals(other: KeyMaterial): boolean {
    const a = this.#bytes;
    const b = other.#bytes;
    return a.length === b.length && a.every((v, i) => v === b[i]);
  }

  /** A copy of the secret bytes. */
  reveal(): Uint8Array {
    return Uint8Array.from(this.#bytes);
  }

  /** The secret bytes in lower-case hex, without `0x`. */
  revealHex(): string {
    return Buffer.from(this.#bytes).toString('hex');
  }

  toString(): string {
    return `[redacted ${this.#bytes.length}-byte key]`;
  }

  toJSON(): string {
    return this.toString();
  }

  [INSPECT](): string {
    return `KeyMaterial ${this.toString()}`;
  }
}

// ----- parsed form -------------------------------------------------------------------------------------

/** One datapath key. The list holding it is in the driver's order: index 0 is the primary key. */
export interface OverlayKey {
  readonly key: KeyMaterial;
  /** The key's tag (swarm LamportTime, as uint32): an input of every SPI. */
  readonly tag: number;
  /** Where the entry is in the secrets file, e.g. ['overlay_keys', 0]. */
  readonly path: YamlPath;
}

/** AES key sizes rfc4106(gcm(aes)) takes; swarm generates 16-byte keys. */
export const KEY_LENGTHS: readonly number[] = [16, 24, 32];

/**
 * Codes of secrets-file diagnostics: the schema codes keep their meaning; the SECRETS_* codes are new
 * (to be added to DiagnosticCode, after which a SecretsDiagnostic is a Diagnostic).
 */
export type SecretsDiagnosticCode =
  | Extract<DiagnosticCode, 'YAML_SYNTAX' | 'SCHEMA_TYPE' | 'SCHEMA_REQUIRED' | 'SCHEMA_UNKNOWN_KEY' | 'SCHEMA_RANGE'>
  | 'SECRETS_NO_KEYS'
  | 'SECRETS_KEY_HEX'
  | 'SECRETS_KEY_LENGTH'
  | 'SECRETS_DUPLICATE_TAG';

export interface SecretsDiagnostic extends Omit<Diagnostic, 'code' | 'file'> {
  readonly code: SecretsDiagnosticCode;
  /** Always the secrets file's name. */
  readonly file: string;
}

export interface ParsedSecrets {
  /** The keys, primary first; empty whenever `diagnostics` holds an error. */
  readonly keys: readonly OverlayKey[];
  readonly diagnostics: readonly SecretsDiagnostic[];
  /** The file with its key material masked (same length and line breaks) and its parsed document
   * (key scalars emptied): the SourceFile to format these diagnostics with. */
  readonly source: SourceFile;
}

// ----- parsing -----------------------------------------------------------------------------------------

const TOP_KEYS = new Set(['overlay_keys']);
const ENTRY_KEYS = new Set(['key', 'tag']);

/** Parses the text of a secrets file. Pure: the caller reads the file (and checks its mode). */
export function parseSecrets(text: string, file: string): ParsedSecrets {
  const lineCounter = new LineCounter();
  // failsafe: every scalar is a string, so a hex key of decimal digits is not read as a number.
  const doc = parseDocument(text, {
    lineCounter,
    schema: 'failsafe',
    version: '1.2',
    prettyErrors: false,
    strict: true,
    uniqueKeys: true,
    logLevel: 'silent',
  });
  const diagnostics: SecretsDiagnostic[] = [];
  const report = (code: SecretsDiagnosticCode, path: YamlPath, message: string, extra: Partial<SecretsDiagnostic> = {}): void => {
    diagnostics.push({ severity: 'error', code, message, path, file, ...extra });
  };
  const keyNodes: Scalar[] = [];

  // yaml's messages may quote the source; only the code and the position are passed on.
  for (const e of doc.errors) {
    report('YAML_SYNTAX', [], `invalid YAML (${e.code})`, { range: [e.pos[0], Math.max(e.pos[0], e.pos[1])] });
  }

  const keys: OverlayKey[] = [];
  if (doc.errors.length === 0) {
    const top = doc.contents;
    if (top === null || (isScalar(top) && (top.value === '' || top.value === null))) {
      report('SCHEMA_REQUIRED', ['overlay_keys'], 'the secrets file is empty: expected `overlay_keys:` with at least one key');
    } else if (!isMap(top)) {
      report('SCHEMA_TYPE', [], 'expected a mapping with `overlay_keys:`');
    } else {
      checkKeys(top.items, TOP_KEYS, [], report);
      const list = top.get('overlay_keys', true) as Node | undefined;
      if (list === undefined) report('SCHEMA_REQUIRED', ['overlay_keys'], 'missing `overlay_keys:` (the list of datapath keys, primary first)');
      else if (isScalar(list) && list.value === '') report('SECRETS_NO_KEYS', ['overlay_keys'], 'overlay_keys is empty: give at least one key');
      else if (!isSeq(list)) report('SCHEMA_TYPE', ['overlay_keys'], 'expected a list of {key, tag} entries');
      else if (list.items.length === 0) report('SECRETS_NO_KEYS', ['overlay_keys'], 'overlay_keys is empty: give at least one key');
      else {
        const tags = new Map<number, number>();
        list.items.forEach((item, i) => {
          const entry = parseEntry(item as Node | null, ['overlay_keys', i], report, keyNodes);
          if (!entry) return;
          const first = tags.get(entry.tag);
          if (first !== undefined) {
            report(
              'SECRETS_DUPLICATE_TAG',
              ['overlay_keys', i, 'tag'],
              `tag ${entry.tag} is already used by overlay_keys[${first}]: tags are part of every SPI and must be unique`,
            );
            return;
          }
          tags.set(entry.tag, i);
          keys.push(entry);
        });
      }
    }
  }

  const masked = redactSecretsText(text, keyNodes.map((n) => n.range).filter((r): r is NonNullable<typeof r> => !!r));
  // The document is handed out for positions only: drop the key text it still holds.
  for (const n of keyNodes) {
    n.value = '';
    n.source = '';
  }
  const hasError = diagnostics.length > 0;
  return { keys: hasError ? [] : keys, diagnostics, source: { file, text: masked, doc: doc as Document, lineCounter } };
}

type Report = (code: SecretsDiagnosticCode, path: YamlPath, message: string, extra?: Partial<SecretsDiagnostic>) => void;

function checkKeys(items: readonly Pair[], allowed: ReadonlySet<string>, path: YamlPath, report: Report): void {
  for (const p of items) {
    if (!isPair(p)) continue;
    const k = isScalar(p.key) ? String(p.key.value) : undefined;
    if (k === undefined || !allowed.has(k)) {
      // The name goes into the printed path: a key pasted as a mapping key must not.
      const name = k === undefined || k.length > 40 || redactSecretsText(k) !== k ? '?' : k;
      report('SCHEMA_UNKNOWN_KEY', [...path, name], `unknown key; expected ${[...allowed].join(' or ')}`, { atKey: true });
    }
  }
}

function parseEntry(item: Node | null, path: YamlPath, report: Report, keyNodes: Scalar[]): OverlayKey | undefined {
  if (!isMap(item)) {
    report('SCHEMA_TYPE', path, 'expected a mapping {key: <hex>, tag: <number>}');
    return undefined;
  }
  checkKeys(item.items, ENTRY_KEYS, path, report);
  const keyNode = item.get('key', true) as Node | undefined;
  const tagNode = item.get('tag', true) as Node | undefined;
  if (isScalar(keyNode)) keyNodes.push(keyNode);

  let key: KeyMaterial | undefined;
  if (keyNode === undefined) report('SCHEMA_REQUIRED', [...path, 'key'], 'missing `key:` (the key bytes in hex)');
  else if (isAlias(keyNode) || !isScalar(keyNode)) report('SCHEMA_TYPE', [...path, 'key'], 'expected the key bytes as one hex string');
  else key = parseKeyHex(String(keyNode.value), [...path, 'key'], report);

  let tag: number | undefined;
  if (tagNode === undefined) report('SCHEMA_REQUIRED', [...path, 'tag'], 'missing `tag:` (the key\'s LamportTime, a number)');
  else if (isAlias(tagNode) || !isScalar(tagNode)) report('SCHEMA_TYPE', [...path, 'tag'], 'expected a decimal number');
  else tag = parseTag(String(tagNode.value), [...path, 'tag'], report);

  return key && tag !== undefined ? { key, tag, path } : undefined;
}

/** Hex digits, with an optional 0x; never echoes the text (it is secret even when malformed). */
function parseKeyHex(text: string, path: YamlPath, report: Report): KeyMaterial | undefined {
  const hex = /^0[xX]/.test(text) ? text.slice(2) : text;
  if (hex.length === 0) {
    report('SECRETS_KEY_HEX', path, 'the key is empty: expected 32 hex digits (16 bytes)');
    return undefined;
  }
  const bad = hex.search(/[^0-9a-fA-F]/);
  if (bad >= 0) {
    report('SECRETS_KEY_HEX', path, `the key is not hexadecimal (character ${bad + 1 + text.length - hex.length} is not 0-9, a-f)`);
    return undefined;
  }
  if (hex.length % 2 !== 0) {
    report('SECRETS_KEY_HEX', path, `the key has an odd number of hex digits (${hex.length})`);
    return undefined;
  }
  const n = hex.length / 2;
  if (!KEY_LENGTHS.includes(n)) {
    report('SECRETS_KEY_LENGTH', path, `the key is ${n} bytes; expected ${KEY_LENGTHS.join(', ')} bytes (AES-128, -192 or -256; swarm uses 16)`);
    return undefined;
  }
  return new KeyMaterial(Uint8Array.from(Buffer.from(hex, 'hex')));
}

function parseTag(text: string, path: YamlPath, report: Report): number | undefined {
  if (!/^\d+$/.test(text)) {
    // Not echoed either: a key pasted into the wrong field must not end up in a log.
    report('SCHEMA_TYPE', path, 'expected a decimal number (0..4294967295)');
    return undefined;
  }
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n > 0xffffffff) {
    report('SCHEMA_RANGE', path, 'the tag must be at most 4294967295 (Docker keeps tags as uint32)');
    return undefined;
  }
  return n;
}

// ----- redaction ---------------------------------------------------------------------------------------

const MASK = '*';

/**
 * `text` with key material masked, keeping its length and line breaks (so offsets and line:col stay
 * valid): the given ranges (the key values found by the parser), every run of 16 or more hex digits
 * (a key anywhere else, e.g. in a file too broken to parse), and whatever follows `key:` on a line.
 */
export function redactSecretsText(text: string, ranges: readonly (readonly number[])[] = []): string {
  const chars = text.split('');
  const mask = (start: number, end: number): void => {
    for (let i = Math.max(0, start); i < Math.min(end, chars.length); i++) {
      if (chars[i] !== '\n' && chars[i] !== '\r') chars[i] = MASK;
    }
  };
  for (const r of ranges) mask(r[0] ?? 0, r[1] ?? 0);
  for (const m of text.matchAll(/(?:0[xX])?[0-9a-fA-F]{16,}/g)) mask(m.index, m.index + m[0].length);
  for (const m of text.matchAll(/(["']?)\bkey\1\s*:[ \t]*([^\r\n,}\]]*)/g)) {
    const valueStart = m.index + m[0].length - m[2]!.length;
    mask(valueStart, m.index + m[0].length);
  }
  return chars.join('');
}
