#!/bin/sh
# netform: network setup for host local, as Docker Engine 29 sets it up.
# Generated from nftablesdoc-usernet-portmap.yaml; do not edit. Firewall rules are in nftables.rules
# (load it with nft -f); teardown.sh undoes this script.
#   NETFORM_HOST_NETNS    run the host side in this named network namespace (unset: the current one)
#   NETFORM_NETNS_PREFIX  prefix of every namespace this script creates (unset: none)
set -eu
H="${NETFORM_HOST_NETNS:-}"
P="${NETFORM_NETNS_PREFIX:-}"
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
# The names of the host's links, space-separated, with a space before and after each.
host_links() { echo " $(host_ip -o link show | awk -F': ' '{sub(/@.*/, "", $2); printf "%s ", $2}')"; }

# Removes what setup.sh creates and nothing else; each step tolerates what is already gone.
# Namespaces first: deleting one deletes the veth pairs in it, all together and at once. The kernel
# finishes that in the background, so the host ends are waited for (up to 10 s), then whatever is
# left and the bridges are deleted.
undo() {
  set +e
  ip -force -batch - 2>/dev/null <<EOF
netns del ${P}c1
EOF
  n=0
  while [ "$n" -lt 200 ]; do
    links=$(host_links 2>/dev/null)
    left=
    for l in vethc59cb8a; do
      case "$links" in *" $l "*) left=1; break ;; esac
    done
    [ -n "$left" ] || break
    sleep 0.05 2>/dev/null || sleep 1
    n=$((n + 1))
  done
  host_ip -force -batch - 2>/dev/null <<EOF
link del vethc59cb8a
link del docker0
link del bridge1
EOF
  set -e
}

# Refuse to touch anything that already exists: teardown must only remove what setup created.
links=$(host_links)
spaces=" $(ip netns list | awk '{printf "%s ", $1}')"
for l in docker0 bridge1 vethc59cb8a; do
  case "$links" in *" $l "*) echo "netform: link $l already exists; run teardown.sh first" >&2; exit 1 ;; esac
done
for n in c1; do
  case "$spaces" in *" $P$n "*) echo "netform: network namespace $P$n already exists; run teardown.sh first" >&2; exit 1 ;; esac
done
trap 'rc=$?; if [ "$rc" -ne 0 ]; then echo "netform: setup failed; rolling back" >&2; undo; fi' EXIT

# Host side: the bridges, with their addresses.
host_ip -batch - <<EOF
link add name docker0 type bridge
link set dev docker0 address 4a:8b:a4:5b:79:50 mtu 1500
addr add 172.17.0.1/16 dev docker0 brd +
link set dev docker0 up
link add name bridge1 type bridge
link set dev bridge1 address 72:aa:65:ff:79:ff mtu 1500
addr add 192.0.2.1/24 dev bridge1 brd +
link set dev bridge1 up
EOF

# Kernel settings Docker makes in the host namespace.
host_sh '
echo 1 > /proc/sys/net/ipv4/ip_forward
if [ -e /proc/sys/net/ipv6/conf/docker0/accept_ra ]; then echo 0 > /proc/sys/net/ipv6/conf/docker0/accept_ra; else echo "netform: warning: net.ipv6.conf.docker0.accept_ra is not available (Docker: no router advertisements on the bridge (setupDefaultSysctl))" >&2; fi
if [ -e /proc/sys/net/ipv6/conf/bridge1/accept_ra ]; then echo 0 > /proc/sys/net/ipv6/conf/bridge1/accept_ra; else echo "netform: warning: net.ipv6.conf.bridge1.accept_ra is not available (Docker: no router advertisements on the bridge (setupDefaultSysctl))" >&2; fi
'

# Each container: its network namespace (netns_N), its veth pairs, each peer created directly in the
# namespace under its final name (links_N, host side), then, inside the namespace, its addresses,
# links up and default routes (container_N).

# Container c1.
netns_1() { printf '%s\n' "netns add ${P}c1"; }
links_1() {
  printf '%s\n' "link add name vethc59cb8a mtu 1500 type veth peer name eth0 mtu 1500 netns ${P}c1" "link set dev vethc59cb8a master bridge1" "link set dev vethc59cb8a up"
}
container_1() {
  ip -n "$P"c1 -batch - <<EOF
link set dev lo up
link set dev eth0 address 0a:ad:fe:fa:36:e4
addr add 192.0.2.2/24 dev eth0 brd +
link set dev eth0 up
route add default via 192.0.2.1 dev eth0
EOF
}

# Containers are set up in parallel lanes, one per CPU (at most 8): starting a process costs more than
# most of what it sets. Lane k makes the namespaces of containers k, k + lanes, ... in one
# `ip -batch`, their veth pairs in another, then enters each namespace once. A lane stops at its
# first failure; any failure rolls everything back.
lanes=$(getconf _NPROCESSORS_ONLN 2>/dev/null) || lanes=1
case "$lanes" in '' | *[!0-9]*) lanes=1 ;; esac
[ "$lanes" -ge 1 ] || lanes=1
[ "$lanes" -le 8 ] || lanes=8
[ "$lanes" -le 1 ] || lanes=1
each() { i=$2; while [ "$i" -le 1 ]; do "$1_$i"; i=$((i + lanes)); done; }
lane() {
  each netns "$1" | ip -batch -
  each links "$1" | host_ip -batch -
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

trap - EXIT
