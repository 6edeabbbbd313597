// /etc/hosts as Docker 29 writes it: the etchosts package (etchosts.ts), the records Docker builds
// (src/topology/hosts-records.ts) and one container's file (container.ts).
export type { EtcHostsRecord } from './etchosts.ts';
export {
  DEFAULT_IPV4_LINES,
  addEtcHosts,
  buildEtcHosts,
  buildEtcHostsNoIPv6,
  defaultIPv6Lines,
  deleteEtcHosts,
  recordLine,
} from './etchosts.ts';
export type { EndpointAddresses, HostsErrorCode, HostsRecord, LinkTarget } from '../../topology/hosts-records.ts';
export {
  DOCKER_GWBRIDGE,
  HostsError,
  endpointHostsRecords,
  extraHostRecords,
  hostnameRecordNames,
  linkHostsRecords,
  parseHostsAddr,
} from '../../topology/hosts-records.ts';
export type { ContainerHostsSpec } from './container.ts';
export {
  NAME_RESOLUTION_HOSTS_PEERS_NOTE,
  containerHosts,
  hostNetworkHosts,
  hostsAfterJoin,
  hostsAfterLeave,
} from './container.ts';
