// Names that end up in shell scripts, namespace names and interface names. netform only lets through
// what is safe everywhere it is used, so quoting is a second line of defence, not the only one.

/** Container and network names: Docker's own pattern for container names ([a-zA-Z0-9][a-zA-Z0-9_.-]*). */
export const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Linux interface names: at most 15 bytes (IFNAMSIZ - 1), and netform's safe alphabet. */
export const IFNAME = /^[A-Za-z0-9_.-]{1,15}$/;

export function interfaceNameProblem(name: string): string | undefined {
  if (Buffer.byteLength(name) > 15) return `interface name "${name}" is ${Buffer.byteLength(name)} bytes; Linux allows at most 15`;
  if (!IFNAME.test(name)) return `interface name "${name}" may only contain A-Z a-z 0-9 _ . -`;
  if (name === '.' || name === '..') return `interface name "${name}" is reserved`;
  // The kernel takes it, but ip and iptables would read the name as an option.
  if (name.startsWith('-')) return `interface name "${name}" starts with "-", which ip and iptables would read as an option`;
  return undefined;
}

/** RFC 1123 host names (labels of letters, digits and hyphens). */
export const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
