// The per-container part of setup.sh (netns_N, links_N, container_N), written as plain functions rather
// than a template section: at 100,000 containers a Handlebars `{{#each}}` concatenates millions of small
// pieces onto one growing string that the garbage collector copies again and again. The text is the one
// the template had; the golden setup.sh files pin every byte. Words arrive already checked (index.ts).
import type { ScriptView } from './view.ts';

type ContainerView = ScriptView['containers'][number];

function linksBody(c: ContainerView): string {
  let s = '';
  for (const l of c.links) {
    s += `  printf '%s\\n' "link add name ${l.hostIfname} mtu ${l.mtu} type veth peer name ${l.ifname} mtu ${l.mtu} netns \${P}${c.name}" "link set dev ${l.hostIfname} master ${l.bridge}"`;
    if (l.hairpin) s += ` "link set dev ${l.hostIfname} type bridge_slave hairpin on"`;
    s += ` "link set dev ${l.hostIfname} up"\n`;
  }
  for (const line of c.otherLinks) s += `  printf '%s\\n' "${line}"\n`;
  if (c.linkCount === 0) s += '  :\n';
  return s;
}

function namespaceBatch(c: ContainerView): string {
  let s = 'link set dev lo up\n';
  for (const i of c.interfaces) {
    s += `link set dev ${i.ifname} address ${i.mac}\n`;
    for (const a of i.addresses) s += `addr add ${a.address} dev ${i.ifname}${a.v4 ? ' brd +' : ' nodad'}\n`;
    s += `link set dev ${i.ifname} up\n`;
  }
  for (const r of c.routes) s += `route add default${r.via ? ` via ${r.via}` : ''} dev ${r.device}\n`;
  for (const a of c.loadBalancer?.aliases ?? []) s += `${a}\n`;
  return s;
}

/** One container's three shell functions, preceded by a blank line and its comment. */
export function containerBlock(c: ContainerView): string {
  let s = `\n# Container ${c.name}.\nnetns_${c.n}() { printf '%s\\n' "netns add \${P}${c.name}"; }\nlinks_${c.n}() {\n${linksBody(c)}}\n`;
  s += `container_${c.n}() {\n  ip -n "$P"${c.name} -batch - <<EOF\n${namespaceBatch(c)}EOF\n`;
  if (c.rules) {
    const warn = c.rulesOptional ? ` || echo "netform: warning: the routing mesh's rules in ${c.name} did not load (does the kernel have IPVS and xt_ipvs?)" >&2` : '';
    s += `  ip netns exec "$P"${c.name} iptables-restore <<'EOF'${warn}\n${c.rules}EOF\n`;
  }
  const lb = c.loadBalancer;
  if (lb && lb.ipvs !== '') {
    // The balancer itself (Docker programs it over netlink); then the IPVS sysctls, which exist once
    // ip_vs is loaded (ApplyOSTweaks). Both only warn: without ipvsadm or IPVS the mesh cannot balance.
    s += `  if command -v ipvsadm >/dev/null 2>&1 && ip netns exec "$P"${c.name} ipvsadm -R <<'EOF'\n${lb.ipvs}EOF\n`;
    s += `  then ip netns exec "$P"${c.name} sh -euc '\n${lb.sysctls.join('\n')}\n'\n`;
    s += `  else echo "netform: warning: the routing mesh's IPVS services in ${c.name} were not created (needs ipvsadm and a kernel with IPVS)" >&2\n  fi\n`;
  }
  return `${s}}\n`;
}

/** Every container's block, joined a few hundred at a time (no single string grows piece by piece). */
export function containerBlocks(list: readonly ContainerView[]): string {
  const chunks: string[] = [];
  for (let i = 0; i < list.length; i += 256) chunks.push(list.slice(i, i + 256).map(containerBlock).join(''));
  return chunks.join('');
}
