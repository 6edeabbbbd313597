// What a container's /etc/resolv.conf is made of; src/render/resolvconf turns it into Docker's exact bytes.
import type { EngineRelease } from '../model/engine.ts';

/**
 * - host: `--network host` (the host's file as parsed, overrides applied, no transform);
 * - legacy: the default bridge (no embedded DNS);
 * - none: `--network none` (Docker treats it like the default bridge, with IPv6 off: the "none"
 *   network has no IPv6);
 * - internal: a user-defined network (embedded DNS at 127.0.0.11).
 */
export type ContainerResolvConfMode = 'host' | 'legacy' | 'internal' | 'none';

export interface ContainerResolvConfSpec {
  /** Which transform the file gets (see ContainerResolvConfMode). */
  mode: ContainerResolvConfMode;
  /**
   * The container's network mode when it was created, which picks the source file (default: `mode`).
   * Differs only for a container created on the default bridge and later connected to a
   * user-defined network: mode 'internal', originMode 'legacy' (it keeps the systemd source).
   */
  originMode?: ContainerResolvConfMode;
  /**
   * The host's /etc/resolv.conf text ('' when unknown: read as an empty file). null: the file does not
   * exist; Docker then carries on with a zero-valued ResolvConf, whose source path shows as ''.
   */
  hostResolvConf: string | null;
  /**
   * Normally '/etc/resolv.conf'. Any other path stands for DOCKER_TEST_RESOLV_CONF_PATH: it is used
   * for every mode and the systemd switch does not apply (Docker only ever inspects /etc/resolv.conf).
   */
  hostResolvConfPath: string;
  /**
   * The text of /run/systemd/resolve/resolv.conf, used when the source is that file (default bridge
   * or "none", and /etc/resolv.conf's only nameserver is 127.0.0.53). When it is needed but not given,
   * it is read as an empty file: no upstream servers, so the Google fallback, with no search or
   * options (the result reports `systemdAssumedEmpty` so the caller can warn). null: the file does
   * not exist (systemd-resolved not running); as for hostResolvConf null, the path shows as ''.
   */
  systemdResolvConf?: string | null;
  /**
   * legacy: the enable_ipv6 of the network whose join wrote the file (the default bridge's).
   * netform hosts mode: whether the container has IPv6. Unused by 'host', 'none' and 'internal'.
   */
  ipv6: boolean;
  /**
   * Container (or else daemon) overrides, already resolved by the caller: container value if
   * non-empty, else the daemon's. undefined or [] = not set: Docker applies a list only when it is
   * non-empty (loadResolvConf), so an empty list leaves the host's entries in place.
   */
  dns?: readonly string[];
  dnsSearch?: readonly string[];
  dnsOptions?: readonly string[];
  /** netform's `name_resolution`; 'hosts' changes only mode 'internal'. Default 'embedded'. */
  nameResolution?: 'embedded' | 'hosts';
  /**
   * netform `name_resolution: hosts`: setting this (even to []) selects hosts mode. A non-empty list
   * names the servers to write instead of 127.0.0.11; they replace the host's and --dns servers and,
   * like --dns, are written as given (no loopback filtering, no fallback). [] or undefined: the
   * upstream servers come from --dns or the host's file through the legacy transform.
   */
  upstreamOverride?: readonly string[];
  /** The Docker release whose file to write when it differs from 28/29's (EngineRelease.resolvConf); absent: 29. */
  engine?: Exclude<EngineRelease['resolvConf'], 'current'>;
  /**
   * With `engine`: the container's endpoints in join order, whether each uses the embedded DNS (a
   * user-defined network) and its network's enable_ipv6. Docker 20.10 rewrites the file at each join.
   */
  joins?: readonly { readonly embeddedDns: boolean; readonly ipv6: boolean }[];
}
