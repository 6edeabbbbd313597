// The pipeline in a few lines: parse -> schema -> model (+ semantic checks) -> IPAM -> topology ->
// render. Pure: the caller hands in the source text and, when `daemon:` names a daemon.json, a way to
// read it. Every stage reports diagnostics; the pipeline stops after the first stage with errors, so
// a later stage never works on input an earlier one rejected.
import type { Diagnostic } from './diagnostics/diagnostic.ts';
import { error } from './diagnostics/diagnostic.ts';
import { allocateAddresses } from './ipam/allocate.ts';
import { buildModel } from './model/build.ts';
import type { Model } from './model/types.ts';
import { parseSource, type ParsedSource } from './parse/index.ts';
import { contentText, hostFiles, type FileContent } from './render/files/index.ts';
import { validateSchema } from './schema/index.ts';
import { buildTopology, type SwarmContext } from './topology/build.ts';
import { allocateSwarmAddresses } from './ipam/swarm.ts';
import type { Addressing } from './ipam/types.ts';
import { hostView, INGRESS_SANDBOX, ingressNetwork } from './model/host-view.ts';
import { endpointKey } from './ipam/allocate.ts';
import { overlayMembers, type OverlayMember } from './topology/overlay-sandboxes.ts';
import type { OverlayKey } from './topology/overlay/secrets.ts';
import { planXfrm, type XfrmPlan } from './topology/overlay/xfrm.ts';
import type { Topology } from './topology/types.ts';

export interface SourceFile {
  readonly file: string;
  readonly text: string;
}

export interface CompileResult {
  readonly diagnostics: readonly Diagnostic[];
  /** Parsed sources by file name, for locating diagnostics. */
  readonly sources: ReadonlyMap<string, { readonly text: string; readonly parsed: ParsedSource }>;
  readonly model?: Model;
  /** The first host's topology (the only one with a single host). */
  readonly topology?: Topology;
  /** One topology per host, in the order of the hosts. */
  readonly topologies?: readonly Topology[];
  /** Output files relative to the output directory (`<host>/...`), present when there is no error (unless options.files is false). */
  readonly files?: ReadonlyMap<string, string>;
}

export interface CompileOptions {
  /**
   * Render every output file into `files` (the default). The command line's build passes false and
   * renders with outputFiles() while it writes, one file at a time: a whole build of 100,000
   * containers does not fit in strings.
   */
  readonly files?: boolean;
  /**
   * The overlay encryption keys (`--secrets FILE`, parsed by the caller), primary first. Needed when an
   * overlay network is encrypted; they only reach the SAs (xfrm-states.secret), never a diagnostic.
   */
  readonly secrets?: readonly OverlayKey[];
  /** false: an encrypted overlay without `secrets` is no error (validate checks the network, not the keys). */
  readonly requireSecrets?: boolean;
}

/** Reads the daemon.json a `daemon:` string names (relative to the input file); undefined when missing. */
export type DaemonFileReader = (pathAsWritten: string) => SourceFile | { readonly error: string };

const hasErrors = (ds: readonly Diagnostic[]) => ds.some((d) => d.severity === 'error');

export function compile(input: SourceFile, readDaemon?: DaemonFileReader, options: CompileOptions = {}): CompileResult {
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, { text: string; parsed: ParsedSource }>();
  const parsed = parseSource(input.text, input.file);
  sources.set(input.file, { text: input.text, parsed });
  diagnostics.push(...parsed.diagnostics);
  if (hasErrors(diagnostics)) return { diagnostics, sources };

  diagnostics.push(...validateSchema(parsed.value));
  if (hasErrors(diagnostics)) return { diagnostics, sources };

  // `daemon: path/to/daemon.json`: parsed and validated as the daemon block it stands for.
  let daemonFile: { file: string; value: unknown } | undefined;
  const daemonRef = (parsed.value as Record<string, unknown>)['daemon'];
  if (typeof daemonRef === 'string') {
    const got = readDaemon ? readDaemon(daemonRef) : { error: 'reading files is not available here' };
    if ('error' in got) {
      diagnostics.push(error('DAEMON_FILE', ['daemon'], `cannot read daemon.json "${daemonRef}": ${got.error}`));
      return { diagnostics, sources };
    }
    const dp = parseSource(got.text, got.file);
    sources.set(got.file, { text: got.text, parsed: dp });
    diagnostics.push(...dp.diagnostics);
    if (!hasErrors(dp.diagnostics)) {
      const wrapped = { version: 1, daemon: dp.value };
      // Validate through the main schema, then strip the ['daemon'] prefix so paths point into the file.
      for (const d of validateSchema(wrapped)) diagnostics.push({ ...d, path: d.path.slice(1), file: got.file });
    }
    if (hasErrors(diagnostics)) return { diagnostics, sources };
    daemonFile = { file: got.file, value: dp.value ?? {} };
  }

  const { model, diagnostics: md } = buildModel(parsed.value, input.file, daemonFile);
  diagnostics.push(...md);
  if (!model || hasErrors(diagnostics)) return { diagnostics, sources, ...(model ? { model } : {}) };

  const built = compileHosts(model, options.secrets, options.requireSecrets ?? true);
  diagnostics.push(...built.diagnostics);
  if (!built.topologies) return { diagnostics, sources, model };
  const topologies = built.topologies;
  const topology = topologies[0]!;
  if (hasErrors(diagnostics)) return { diagnostics, sources, model, topology, topologies };

  if (options.files === false) return { diagnostics, sources, model, topology, topologies };
  const files = new Map<string, string>();
  for (const [rel, content] of outputFiles(topologies, input.file)) files.set(rel, contentText(content));
  return { diagnostics, sources, model, topology, topologies, files };
}

/**
 * IPAM and topology for every host. Swarm-scope addresses (overlays) are decided once; each host's
 * dockerd then allocates its local networks and builds its own topology from its view of the model.
 * A diagnostic the hosts share (the same default bridge problem on each) is reported once.
 */
function compileHosts(model: Model, secrets: readonly OverlayKey[] | undefined, requireSecrets: boolean): { topologies?: Topology[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  const report = (ds: readonly Diagnostic[]) => {
    for (const d of ds) {
      const k = `${d.code}\u0000${d.file ?? ''}\u0000${d.path.join('\u0000')}\u0000${d.message}`;
      if (!seen.has(k)) {
        seen.add(k);
        diagnostics.push(d);
      }
    }
  };
  // The common case, one host and no swarm, is the model itself.
  if (!model.swarm && model.hosts.length === 1) {
    const { addressing, diagnostics: ad } = allocateAddresses(model);
    report(ad);
    if (hasErrors(diagnostics)) return { diagnostics };
    const { topology, diagnostics: td } = buildTopology(model, addressing);
    report(td);
    return { topologies: [topology], diagnostics };
  }
  let swarmContext: SwarmContext | undefined;
  if (model.swarm) {
    const { swarm, diagnostics: sd } = allocateSwarmAddresses(model);
    report(sd);
    if (hasErrors(diagnostics)) return { diagnostics };
    swarmContext = { swarm, members: overlayMembers(model, swarm), allContainers: model.containers };
  }
  const topologies: Topology[] = [];
  for (const h of model.hosts) {
    const view = hostView(model, h.name);
    const { addressing: local, diagnostics: ad } = allocateAddresses({ ...view, networks: view.networks.filter((n) => n.driver !== 'overlay') });
    report(ad);
    if (hasErrors(diagnostics)) return { diagnostics };
    const addressing = swarmContext ? mergeAddressing(local, swarmContext.swarm.addressing, sandboxAddressing(model, h.name, swarmContext)) : local;
    const { topology, diagnostics: td } = buildTopology(view, addressing, swarmContext);
    report(td);
    const xfrm = swarmContext && (secrets || requireSecrets) ? encryptionPlan(model, h.name, swarmContext.members, secrets, report) : undefined;
    topologies.push(xfrm ? { ...topology, xfrm } : topology);
  }
  if (hasErrors(diagnostics)) return { diagnostics };
  return { topologies, diagnostics };
}

/**
 * The ESP state of `host` (overlay/encryption.go setupEncryption): SAs and policies with every host that
 * shares an encrypted overlay with it (both run an endpoint on it), in host order. None without peers.
 */
function encryptionPlan(model: Model, host: string, members: readonly OverlayMember[], secrets: readonly OverlayKey[] | undefined, report: (ds: Diagnostic[]) => void): XfrmPlan | undefined {
  const encrypted = model.networks.filter((n) => n.overlay?.encrypted);
  const peers = new Set<string>();
  for (const n of encrypted) {
    const on = new Set(members.filter((x) => x.network === n.name).map((x) => x.host));
    if (!on.has(host)) continue;
    for (const h of on) if (h !== host) peers.add(h);
  }
  if (peers.size === 0) return undefined;
  if (!secrets || secrets.length === 0) {
    report([error('NO_SECRETS', [...encrypted[0]!.path, 'driver_opts', 'encrypted'], 'an encrypted overlay needs the swarm\'s data path keys: build with --secrets FILE (see docs/overlay.md for its format)', { atKey: true })]);
    return undefined;
  }
  const facts = (name: string) => ({ name, address: model.hosts.find((h) => h.name === name)!.address! });
  return planXfrm({
    local: facts(host),
    peers: model.hosts.filter((h) => peers.has(h.name)).map((h) => facts(h.name)),
    keys: secrets,
    dataPathPort: model.swarm?.dataPathPort ?? 4789,
  });
}

const mergeAddressing = (a: Addressing, b: Addressing, extra: ReadonlyMap<string, { v4?: string }>): Addressing => ({
  networks: new Map([...a.networks, ...b.networks]),
  endpoints: new Map([...a.endpoints, ...b.endpoints, ...extra]),
});

/** The host's ingress_sbox address on the ingress network, under the sandbox's name in this host's view. */
function sandboxAddressing(model: Model, host: string, ctx: SwarmContext): Map<string, { v4?: string }> {
  const ingress = ingressNetwork(model);
  const ip = ctx.swarm.ingressSandboxes.get(host);
  return new Map(ingress && ip ? [[endpointKey(INGRESS_SANDBOX, ingress.name), { v4: ip }]] : []);
}

/**
 * The output files of a topology compiled from `inputFile`, relative to the output directory
 * (`<host>/...`), each rendered when the iteration reaches it.
 */
export function* outputFiles(topologies: Topology | readonly Topology[], inputFile: string): Generator<[string, FileContent]> {
  // Only the file's base name goes into outputs: the same input gives the same bytes wherever it lives.
  const sourceName = inputFile.split(/[\\/]/).pop() ?? inputFile;
  for (const topology of Array.isArray(topologies) ? topologies : [topologies as Topology]) {
    for (const [rel, content] of hostFiles(topology, sourceName)) yield [`${topology.host}/${rel}`, content];
  }
}
