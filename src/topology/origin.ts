// The origin an IR value gets from the model path of what caused it. The model points some values at
// a section as a whole when no key of it was written: the default bridge and the daemon's own chains
// at ['daemon'] (dockerd makes them by default), swarm's networks and ingress_sbox at ['swarm'] (swarm
// mode makes them). A path that names no line of the file is no origin: those become named implicit
// origins, and a key written in the daemon.json `daemon:` names points into that file.
import { implicit, type Origin } from '../diagnostics/origin.ts';
import type { YamlPath } from '../diagnostics/diagnostic.ts';
import type { DaemonSettings, Model } from '../model/types.ts';

/** The first of `keys` the daemon settings write (in the input or its daemon.json), else `daemon default`. */
export function daemonOrigin(d: DaemonSettings, ...keys: readonly string[]): Origin {
  for (const k of keys) {
    const p = d.paths[k];
    if (p) return d.file ? { file: d.file, path: p } : p;
  }
  return implicit('daemon default');
}

/** The `swarm:` key when the file has one, else `swarm init`. */
export const swarmOrigin = (m: Model): Origin => (m.swarm && m.swarm.path.length > 0 ? m.swarm.path : implicit('swarm init'));

/** The origin of a model value at `path`: the path itself unless it is one of the section-wide fallbacks. */
export function originOf(m: Model, path: YamlPath): Origin {
  if (path.length === 1 && path[0] === 'daemon') return daemonOrigin(m.daemon);
  if (path.length === 1 && path[0] === 'swarm') return swarmOrigin(m);
  return path;
}
