// Swarm IPAM hands out addresses to holders that are not containers (swarm.ts): each host's ingress
// sandbox and each service's virtual IPs. They are named here so that no container name can be one
// (names hold no NUL) and so that a message can say what they are.

export const vipHolder = (service: string): string => `\u0000vip\u0000${service}`;
export const sandboxHolder = (host: string): string => `\u0000ingress_sbox\u0000${host}`;

/** The holder a name stands for: a container, a service's VIP, or a host's ingress sandbox. */
export function holderOf(name: string): { kind: 'container' | 'vip' | 'sandbox'; name: string } {
  if (!name.startsWith('\u0000')) return { kind: 'container', name };
  const [, kind, rest] = name.split('\u0000');
  return { kind: kind === 'vip' ? 'vip' : 'sandbox', name: rest ?? '' };
}

/** `container "web"`, `the VIP of service "web"`, `the ingress sandbox of host "node1"`. */
export function holderText(name: string): string {
  const h = holderOf(name);
  return h.kind === 'container' ? `container "${h.name}"` : h.kind === 'vip' ? `the VIP of service "${h.name}"` : `the ingress sandbox of host "${h.name}"`;
}
