// setup.sh and teardown.sh. POSIX sh, `set -eu`. Host-side commands honour NETFORM_HOST_NETNS,
// every namespace name carries NETFORM_NETNS_PREFIX; both are checked before anything runs.
// Namespaces are created with plain `ip netns add` (never under `ip -n`, whose private mount
// namespace would hide them), veth peers are created directly inside their namespace (no moves).

const PRELUDE = `set -eu
H="\${NETFORM_HOST_NETNS:-}"
P="\${NETFORM_NETNS_PREFIX:-}"
case "$H$P" in *[!A-Za-z0-9_.-]*)
  echo "netform: NETFORM_HOST_NETNS and NETFORM_NETNS_PREFIX may only contain A-Z a-z 0-9 _ . -" >&2; exit 2 ;;
esac
if [ -n "$H" ] && [ ! -e "/run/netns/$H" ]; then
  echo "netform: NETFORM_HOST_NETNS=$H: no such network namespace" >&2; exit 2
fi
# ip in the host namespace (NETFORM_HOST_NETNS, or the current one).
host_ip() { if [ -n "$H" ]; then ip -n "$H" "$@"; else ip "$@"; fi; }
# A shell snippet in the host namespace (for /proc/sys writes).
host_sh() { if [ -n "$H" ]; then ip netns exec "$H" sh -euc "$1"; else sh -euc "$1"; fi; }
`;

const UNDO = `# Removes what setup.sh creates and nothing else; each step tolerates what is already gone.
undo() {
  set +e
{{#each endpoints}}
  host_ip link del {{sh hostIfname}} 2>/dev/null
{{/each}}
{{#each namespaces}}
  ip netns del "$P"{{sh this}} 2>/dev/null
{{/each}}
{{#each bridges}}
  host_ip link del {{sh name}} 2>/dev/null
{{/each}}
  set -e
}
`;

export const SETUP = `#!/bin/sh
# netform: network setup for host {{sh host}}, as Docker Engine {{engine}} sets it up.
# Generated from {{sh source}}; do not edit. Firewall rules are in iptables.rules / ip6tables.rules
# (load them with iptables-restore); teardown.sh undoes this script.
#   NETFORM_HOST_NETNS    run the host side in this named network namespace (unset: the current one)
#   NETFORM_NETNS_PREFIX  prefix of every namespace this script creates (unset: none)
${PRELUDE}
${UNDO}
# Refuse to touch anything that already exists: teardown must only remove what setup created.
links=" $(host_ip -o link show | awk -F': ' '{sub(/@.*/, "", $2); printf "%s ", $2}')"
spaces=" $(ip netns list | awk '{printf "%s ", $1}')"
for l in{{#each bridges}} {{sh name}}{{/each}}{{#each endpoints}} {{sh hostIfname}}{{/each}}; do
  case "$links" in *" $l "*) echo "netform: link $l already exists; run teardown.sh first" >&2; exit 1 ;; esac
done
for n in{{#each namespaces}} {{sh this}}{{/each}}; do
  case "$spaces" in *" $P$n "*) echo "netform: network namespace $P$n already exists; run teardown.sh first" >&2; exit 1 ;; esac
done
trap 'rc=$?; if [ "$rc" -ne 0 ]; then echo "netform: setup failed; rolling back" >&2; undo; fi' EXIT
{{#if namespaces.length}}

# Container network namespaces.
ip -batch - <<EOF
{{#each namespaces}}
netns add \${P}{{bw this}}
{{/each}}
EOF
{{/if}}
{{#if hostBatch}}

# Host side: bridges with their addresses, then one veth pair per endpoint, its peer created
# directly in the container's namespace under its final name.
host_ip -batch - <<EOF
{{#each bridges}}
link add name {{bw name}} type bridge
link set dev {{bw name}} address {{bw mac}} mtu {{mtu}}
{{#each addresses}}
addr add {{bw address}} dev {{bw ../name}}{{#if v4}} brd +{{/if}}
{{/each}}
link set dev {{bw name}} up
{{/each}}
{{#each endpoints}}
link add name {{bw hostIfname}} mtu {{mtu}} type veth peer name {{bw ifname}} mtu {{mtu}} netns \${P}{{bw netns}}
link set dev {{bw hostIfname}} master {{bw bridge}}
{{#if hairpin}}
link set dev {{bw hostIfname}} type bridge_slave hairpin on
{{/if}}
link set dev {{bw hostIfname}} up
{{/each}}
EOF
{{/if}}
{{#if sysctls.length}}

# Kernel settings Docker makes in the host namespace.
host_sh '
{{#each sysctls}}
{{#if optional}}if [ -e {{path}} ]; then {{/if}}echo {{value}} > {{path}}{{#if optional}}; else echo "netform: warning: {{key}} is not available ({{reason}})" >&2; fi{{/if}}
{{/each}}
'
{{/if}}
{{#each containers}}

# Container {{name}}.
ip -n "$P"{{sh name}} -batch - <<EOF
link set dev lo up
{{#each interfaces}}
link set dev {{bw ifname}} address {{bw mac}}
{{#each addresses}}
addr add {{bw address}} dev {{bw ../ifname}}{{#if v4}} brd +{{else}} nodad{{/if}}
{{/each}}
link set dev {{bw ifname}} up
{{/each}}
{{#each routes}}
{{#if v6}}-6 {{/if}}route add default via {{bw via}} dev {{bw device}}
{{/each}}
EOF
{{/each}}

trap - EXIT
`;

export const TEARDOWN = `#!/bin/sh
# netform: removes what setup.sh created for host {{sh host}} (links and namespaces) and nothing
# else. Loading and removing firewall rules is left to whoever applies them.
${PRELUDE}
${UNDO}
undo
`;
