// setup.sh and teardown.sh. POSIX sh, `set -eu`. Host-side commands honour NETFORM_HOST_NETNS,
// every namespace name carries NETFORM_NETNS_PREFIX; both are checked before anything runs.
// Namespaces are created with plain `ip netns add` (never under `ip -n`, whose private mount
// namespace would hide them), veth peers are created directly inside their namespace (no moves).
//
// The view (index.ts) hands over words already checked: names in netform's safe alphabet (they need
// no quoting in a shell word or an `ip -batch` line), the source file name already made safe for a
// comment (commentWord). The templates only place them, with plain mustaches (no helper call per
// word: setup.sh of 100,000 containers has millions of them).
//
// Speed of applying: starting a process costs more than most of what it sets (`ip` starts in about
// 2 ms; creating a veth pair in place takes 0.6 ms), so every host-side step is one `ip -batch`, the
// containers' own settings (one `ip -n` each, the only way into a namespace) run in parallel lanes,
// and teardown deletes namespaces first: that removes their veth pairs together, where deleting veth
// ends one by one waits for the kernel (an RCU grace period, about 20-40 ms) each time.
//
// Safety (shell.ts): one netform script at a time (a lock); setup.sh refuses to start when a link or
// namespace it would create exists, or when it cannot list them; it journals what it creates, and a
// failure rolls back the journal and nothing else. The source file's name lands only in a comment,
// with every character that could end the line escaped (index.ts).
import { JOURNAL, PRELUDE, UNDO } from './shell.ts';

export const SETUP = `#!/bin/sh
# netform: network setup for host {{host}}, as Docker Engine {{engine}} sets it up.
# Generated from {{source}}; do not edit. {{firewallNote}}; teardown.sh undoes this script.
#   NETFORM_HOST_NETNS    run the host side in this named network namespace (unset: the current one)
#   NETFORM_NETNS_PREFIX  prefix of every namespace this script creates (unset: none)
${PRELUDE}
# Refuse to touch anything that already exists: this run creates every link and namespace it names.
# A listing that fails is a failure, never "nothing exists".
links=$(host_links) || { echo "netform: cannot list the links (ip link show failed); nothing was changed" >&2; exit 1; }
spaces=$(ip netns list) || { echo "netform: cannot list the network namespaces (ip netns list failed); nothing was changed" >&2; exit 1; }
spaces=" $(printf '%s\\n' "$spaces" | awk '{printf "%s ", $1}')"
for l in{{#each hostLinkNames}} {{this}}{{/each}}; do
  case "$links" in *" $l "*) echo "netform: link $l already exists; run teardown.sh first" >&2; exit 1 ;; esac
done
for n in{{#each namespaces}} {{this}}{{/each}}; do
  case "$spaces" in *" $P$n "*) echo "netform: network namespace $P$n already exists; run teardown.sh first" >&2; exit 1 ;; esac
done
${JOURNAL}{{#if bridges.length}}

# Host side: the bridges, with their addresses.
made bridges host_ip <<EOF
{{#each bridges}}
link add name {{name}} type bridge
link set dev {{name}} address {{mac}} mtu {{mtu}}
{{#each addresses}}
addr add {{address}} dev {{../name}}{{#if v4}} brd +{{/if}}{{#if nodad}} nodad{{/if}}
{{/each}}
link set dev {{name}} up
{{/each}}
EOF
{{/if}}
{{#if parentLinks.length}}

# Parent links of macvlan/ipvlan networks that Docker creates (802.1Q sub-interfaces, dummy links).
made parent-links host_ip <<EOF
{{#each parentLinks}}
{{create}}
link set dev {{name}} up
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
{{#if overlays.length}}

# Overlay networks: a namespace each, holding the bridge br0 (with the gateway) and the VXLAN device,
# created in the host namespace (so that it sends from the host's underlay address) and moved in, where
# it is renamed vxlan0 (Docker ov_network.go setupSubnetSandbox). Peers on other hosts are written
# statically: a neighbour entry and an FDB entry per remote endpoint, a flood entry per remote host.
made overlay-netns ip <<EOF
{{#each overlays}}
netns add \${P}{{ns}}
{{/each}}
EOF
made overlay-links host_ip <<EOF
{{#each overlays}}
{{create}}
link set dev {{vxlan}} netns \${P}{{ns}}
{{/each}}
EOF
{{#each overlays}}
ip -n "$P"{{ns}} -batch - <<EOF
{{#each nsLines}}
{{this}}
{{/each}}
EOF
{{#if fdbLines.length}}
bridge -n "$P"{{ns}} -batch - <<EOF
{{#each fdbLines}}
{{this}}
{{/each}}
EOF
{{/if}}
{{/each}}
{{/if}}
{{#if xfrm}}

# Encrypted overlays: ESP transport-mode SAs with each peer host, then the policies that send the
# marked VXLAN packets through them (overlay/encryption.go). The SAs hold the swarm's keys: they are
# in xfrm-states.secret beside this script (mode 0600), never in this file.
D=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
made_from xfrm-states "$D/xfrm-states.secret" host_ip
made xfrm-policies host_ip <<EOF
{{xfrm.policies}}EOF
{{/if}}
{{#if containers.length}}

# Each container: its network namespace (netns_N), its veth pairs, each peer created directly in the
# namespace under its final name (links_N, host side), then, inside the namespace, its addresses,
# links up and default routes (container_N).
{{containerBlocks}}
# Containers are set up in parallel lanes, one per CPU (at most 8): starting a process costs more than
# most of what it sets. Lane k makes the namespaces of containers k, k + lanes, ... in one
# \`ip -batch\`, their veth pairs in another, then enters each namespace once. A lane stops at its
# first failure; any failure rolls everything back.
lanes=$(getconf _NPROCESSORS_ONLN 2>/dev/null) || lanes=1
case "$lanes" in '' | *[!0-9]*) lanes=1 ;; esac
[ "$lanes" -ge 1 ] || lanes=1
[ "$lanes" -le 8 ] || lanes=8
[ "$lanes" -le {{containers.length}} ] || lanes={{containers.length}}
each() { i=$2; while [ "$i" -le {{containers.length}} ]; do "$1_$i"; i=$((i + lanes)); done; }
lane() {
  each netns "$1" | made "netns.$1" ip
  each links "$1" | made "links.$1" host_ip
  each container "$1"
}
pids=
l=1
while [ "$l" -le "$lanes" ]; do
  lane "$l" &
  pids="$pids $!"
  l=$((l + 1))
done
failed=0
for p in $pids; do wait "$p" || failed=1; done
[ "$failed" -eq 0 ]
{{/if}}
{{#each overlays}}
{{#if ports.length}}

# The containers' ends in overlay {{ns}}: ports of br0.
ip -n "$P"{{ns}} -batch - <<EOF
{{#each ports}}
link set dev {{this}} master br0
link set dev {{this}} up
{{/each}}
EOF
{{/if}}
{{/each}}

trap - EXIT HUP INT TERM
rm -rf "$J"
`;

export const TEARDOWN = `#!/bin/sh
# netform: removes what setup.sh created for host {{host}} (links and namespaces) and nothing
# else. Loading and removing firewall rules is left to whoever applies them.
${PRELUDE}
${UNDO}
undo
`;

/** Every template by name, for the build, which precompiles them into the bundle (tools/build.ts). */
export const TEMPLATES: Readonly<Record<string, string>> = { 'setup.sh': SETUP, 'teardown.sh': TEARDOWN };
