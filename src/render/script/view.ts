// What the setup.sh / teardown.sh templates see of a topology: words already checked or quoted.

export interface ScriptView {
  host: string;
  engine: string;
  /** The input file's name, made safe for a comment (commentWord): it cannot end the line. */
  source: string;
  /** Where the firewall rules are and how they load (the header comment; it may span lines). */
  firewallNote: string;
  namespaces: string[];
  bridges: { name: string; mac: string; mtu: number; addresses: { address: string; v4: boolean; nodad: boolean }[] }[];
  endpoints: { hostIfname: string; ifname: string; mtu: number; netns: string; bridge: string; hairpin: boolean }[];
  hostBatch: boolean;
  /** Anything to delete in the host namespace on undo. */
  hostCleanup: boolean;
  /** Overlay namespaces (swarm mode), each with its bridge, VXLAN device and static forwarding state. */
  overlays: {
    ns: string;
    vxlan: string;
    /** Host-side line creating the VXLAN device. */
    create: string;
    nsLines: string[];
    fdbLines: string[];
    /** Container veth ends to enslave to br0 once the containers exist. */
    ports: string[];
  }[];
  /** Parent links netform creates (802.1Q sub-interfaces, dummy links), as host-side lines. */
  parentLinks: { name: string; create: string }[];
  /** The containers' shell functions, as text (container-blocks.ts). */
  containerBlocks: string;
  /** Every link name setup creates in the host namespace (refused when it already exists). */
  hostLinkNames: string[];
  /** Encrypted overlays: the policies to add (the SAs are in xfrm-states.secret) and what undo deletes. */
  xfrm?: { policies: string; teardown: string };
  sysctls: { path: string; value: string; key: string; reason: string; optional: boolean }[];
  containers: {
    /** 1, 2, ...: the container's shell functions are netns_<n>, links_<n> and container_<n>. */
    n: number;
    name: string;
    /** Its veth pairs to host bridges, host side. */
    links: { hostIfname: string; ifname: string; mtu: number; bridge: string; hairpin: boolean }[];
    /** Its other interfaces, as host-side `ip -batch` lines: veths into overlay namespaces, macvlan/ipvlan links. */
    otherLinks: string[];
    /** links + otherLinks (0: the function body is `:`). */
    linkCount: number;
    interfaces: { ifname: string; mac: string; addresses: { address: string; v4: boolean }[] }[];
    routes: { via?: string; device: string }[];
    /** iptables-restore text Docker's rules inside the namespace come to (routing mesh), if any. */
    rules?: string;
    /** The rules need what a kernel may lack (IPVS in ingress_sbox): a failure to load them is a warning. */
    rulesOptional: boolean;
    /** ingress_sbox: VIP aliases (`addr add` lines), `ipvsadm -R` input and the IPVS sysctls' shell lines. */
    loadBalancer?: { aliases: string[]; ipvs: string; sysctls: string[] };
  }[];
}
