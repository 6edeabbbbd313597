// /etc/resolv.conf as Docker 29 writes it. Low level: a model of moby's internal/resolvconf package
// (parse, override, transform, generate). High level: containerResolvConf for one container.
export type { ExtDNSEntry, Metadata, NDotsFrom, ResolvConf, ResolvConfErrorCode, Transform } from './types.ts';
export { ResolvConfError, emptyResolvConf, extDNSEntryString } from './types.ts';
export { goFields, goScanLines, goTrimSpace, parseResolvConf } from './parse.ts';
export { addOption, option, overrideNameServers, overrideOptions, overrideSearch, setHeader } from './modify.ts';
export {
  DEFAULT_IPV4_NAMESERVERS,
  DEFAULT_IPV6_NAMESERVERS,
  EMBEDDED_DNS_ADDRESS,
  EMBEDDED_DNS_REQUIRED_OPTIONS,
  MAX_EXT_DNS,
  embeddedResolverUpstreams,
  removeInvalidNDots,
  transformForIntNS,
  transformForLegacyNw,
} from './transform.ts';
export { generate } from './generate.ts';
export type { ContainerResolvConfMode, ContainerResolvConfResult, ContainerResolvConfSpec } from './container.ts';
export {
  DOCKER_RESOLV_CONF_HEADER,
  ETC_RESOLV_CONF,
  NAME_RESOLUTION_HOSTS_NOTE,
  SYSTEMD_RESOLV_CONF,
  containerResolvConf,
  containerResolvConfResult,
  resolvConfFailure,
  resolvConfSource,
  usesSystemdResolvConf,
} from './container.ts';
