// Which host a command works on and where: NETFORM_HOST_NETNS and NETFORM_NETNS_PREFIX checked exactly
// as setup.sh checks them (only A-Z a-z 0-9 _ . -; the host namespace must exist), and the build's
// topology for that host.
import type { CompileResult } from '../compile.ts';
import { ApplyError } from './errors.ts';
import { containerFilesRenderer } from '../render/hosts/renderer.ts';
import type { Topology } from '../topology/types.ts';
import { desiredState } from './desired.ts';
import type { System } from './system.ts';
import type { Desired, Target } from './types.ts';

export class TargetError extends ApplyError {}

/** The host part of a target from the environment's two variables, checked. */
export function targetFromEnv(host: string, env: Readonly<Record<string, string | undefined>>, system: Pick<System, 'listNetns'>): Target {
  const hostNetns = env['NETFORM_HOST_NETNS'] ?? '';
  const prefix = env['NETFORM_NETNS_PREFIX'] ?? '';
  if (/[^A-Za-z0-9_.-]/.test(hostNetns + prefix)) throw new TargetError('NETFORM_HOST_NETNS and NETFORM_NETNS_PREFIX may only contain A-Z a-z 0-9 _ . -');
  if (hostNetns && !system.listNetns().includes(hostNetns)) throw new TargetError(`NETFORM_HOST_NETNS=${hostNetns}: no such network namespace`);
  return { host, ...(hostNetns ? { hostNetns } : {}), prefix };
}

/** The topology of `host` (the only one when host is undefined). */
export function topologyFor(result: CompileResult, host: string | undefined): Topology {
  const all = result.topologies ?? (result.topology ? [result.topology] : []);
  if (!all.length) throw new TargetError('the build has no host');
  if (host === undefined) {
    if (all.length > 1) throw new TargetError(`the file describes ${all.length} hosts (${all.map((t) => t.host).join(', ')}): name one with --host`);
    return all[0]!;
  }
  const t = all.find((x) => x.host === host);
  if (!t) throw new TargetError(`no host "${host}" in the file (${all.map((x) => x.host).join(', ')})`);
  return t;
}

/** The desired state of one host of a compiled build (compile() without errors). */
export function desiredFromBuild(result: CompileResult, target: Target): Desired {
  if (!result.model) throw new TargetError('the build has errors');
  const t = topologyFor(result, target.host);
  const files = new Map<string, string>();
  for (const [rel, content] of containerFilesRenderer.files(t, { source: '' })) files.set(rel, typeof content === 'string' ? content : [...content].join(''));
  const desired = desiredState(t, result.model, target, (name) => {
    const hosts = files.get(`containers/${name}/hosts`);
    const resolvConf = files.get(`containers/${name}/resolv.conf`);
    return hosts !== undefined && resolvConf !== undefined ? { hosts, resolvConf } : undefined;
  });
  return { ...desired, topology: t };
}
