#!/bin/sh
# netform: network setup for host local, as Docker Engine 29 sets it up.
# Generated from e2e-icc-off.yaml; do not edit. Firewall rules are in iptables.rules / ip6tables.rules
# (load them with iptables-restore); teardown.sh undoes this script.
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
netns del ${P}quiet1
netns del ${P}quiet2
netns del ${P}loud1
netns del ${P}loud2
netns del ${P}def1
netns del ${P}def2
EOF
  n=0
  while [ "$n" -lt 200 ]; do
    links=$(host_links 2>/dev/null)
    left=
    for l in veth4ed190f veth3e623d9 veth2d14b5e veth2fd18e3 vethedb8e0f vethd3de78a; do
      case "$links" in *" $l "*) left=1; break ;; esac
    done
    [ -n "$left" ] || break
    sleep 0.05 2>/dev/null || sleep 1
    n=$((n + 1))
  done
  host_ip -force -batch - 2>/dev/null <<EOF
link del veth4ed190f
link del veth3e623d9
link del veth2d14b5e
link del veth2fd18e3
link del vethedb8e0f
link del vethd3de78a
link del docker0
link del br-f481a26612af
link del br-d79dc39624f5
EOF
  set -e
}

# Refuse to touch anything that already exists: teardown must only remove what setup created.
links=$(host_links)
spaces=" $(ip netns list | awk '{printf "%s ", $1}')"
for l in docker0 br-f481a26612af br-d79dc39624f5 veth4ed190f veth3e623d9 veth2d14b5e veth2fd18e3 vethedb8e0f vethd3de78a; do
  case "$links" in *" $l "*) echo "netform: link $l already exists; run teardown.sh first" >&2; exit 1 ;; esac
done
for n in quiet1 quiet2 loud1 loud2 def1 def2; do
  case "$spaces" in *" $P$n "*) echo "netform: network namespace $P$n already exists; run teardown.sh first" >&2; exit 1 ;; esac
done
trap 'rc=$?; if [ "$rc" -ne 0 ]; then echo "netform: setup failed; rolling back" >&2; undo; fi' EXIT

# Host side: the bridges, with their addresses.
host_ip -batch - <<EOF
link add name docker0 type bridge
link set dev docker0 address 4a:8b:a4:5b:79:50 mtu 1500
addr add 172.17.0.1/16 dev docker0 brd +
link set dev docker0 up
link add name br-f481a26612af type bridge
link set dev br-f481a26612af address 92:03:3f:6b:a7:5c mtu 1500
addr add 10.30.1.1/24 dev br-f481a26612af brd +
link set dev br-f481a26612af up
link add name br-d79dc39624f5 type bridge
link set dev br-d79dc39624f5 address 4a:0c:20:64:43:12 mtu 1500
addr add 10.30.2.1/24 dev br-d79dc39624f5 brd +
link set dev br-d79dc39624f5 up
EOF

# Kernel settings Docker makes in the host namespace.
host_sh '
echo 1 > /proc/sys/net/ipv4/ip_forward
if [ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]; then echo 1 > /proc/sys/net/bridge/bridge-nf-call-iptables; else echo "netform: warning: net.bridge.bridge-nf-call-iptables is not available (Docker: br_netfilter for ICC off / userland-proxy off)" >&2; fi
if [ -e /proc/sys/net/ipv6/conf/docker0/accept_ra ]; then echo 0 > /proc/sys/net/ipv6/conf/docker0/accept_ra; else echo "netform: warning: net.ipv6.conf.docker0.accept_ra is not available (Docker: no router advertisements on the bridge (setupDefaultSysctl))" >&2; fi
if [ -e /proc/sys/net/ipv6/conf/br-f481a26612af/accept_ra ]; then echo 0 > /proc/sys/net/ipv6/conf/br-f481a26612af/accept_ra; else echo "netform: warning: net.ipv6.conf.br-f481a26612af.accept_ra is not available (Docker: no router advertisements on the bridge (setupDefaultSysctl))" >&2; fi
if [ -e /proc/sys/net/ipv6/conf/br-d79dc39624f5/accept_ra ]; then echo 0 > /proc/sys/net/ipv6/conf/br-d79dc39624f5/accept_ra; else echo "netform: warning: net.ipv6.conf.br-d79dc39624f5.accept_ra is not available (Docker: no router advertisements on the bridge (setupDefaultSysctl))" >&2; fi
'

# Each container: its network namespace (netns_N), its veth pairs, each peer created directly in the
# namespace under its final name (links_N, host side), then, inside the namespace, its addresses,
# links up and default routes (container_N).

# Container quiet1.
netns_1() { printf '%s\n' "netns add ${P}quiet1"; }
links_1() {
  printf '%s\n' "link add name veth4ed190f mtu 1500 type veth peer name eth0 mtu 1500 netns ${P}quiet1" "link set dev veth4ed190f master br-f481a26612af" "link set dev veth4ed190f up"
}
container_1() {
  ip -n "$P"quiet1 -batch - <<EOF
link set dev lo up
link set dev eth0 address 2e:16:44:c8:92:30
addr add 10.30.1.2/24 dev eth0 brd +
link set dev eth0 up
route add default via 10.30.1.1 dev eth0
EOF
}

# Container quiet2.
netns_2() { printf '%s\n' "netns add ${P}quiet2"; }
links_2() {
  printf '%s\n' "link add name veth3e623d9 mtu 1500 type veth peer name eth0 mtu 1500 netns ${P}quiet2" "link set dev veth3e623d9 master br-f481a26612af" "link set dev veth3e623d9 up"
}
container_2() {
  ip -n "$P"quiet2 -batch - <<EOF
link set dev lo up
link set dev eth0 address ee:39:bc:de:89:26
addr add 10.30.1.3/24 dev eth0 brd +
link set dev eth0 up
route add default via 10.30.1.1 dev eth0
EOF
}

# Container loud1.
netns_3() { printf '%s\n' "netns add ${P}loud1"; }
links_3() {
  printf '%s\n' "link add name veth2d14b5e mtu 1500 type veth peer name eth0 mtu 1500 netns ${P}loud1" "link set dev veth2d14b5e master br-d79dc39624f5" "link set dev veth2d14b5e up"
}
container_3() {
  ip -n "$P"loud1 -batch - <<EOF
link set dev lo up
link set dev eth0 address c6:52:d5:9d:47:70
addr add 10.30.2.2/24 dev eth0 brd +
link set dev eth0 up
route add default via 10.30.2.1 dev eth0
EOF
}

# Container loud2.
netns_4() { printf '%s\n' "netns add ${P}loud2"; }
links_4() {
  printf '%s\n' "link add name veth2fd18e3 mtu 1500 type veth peer name eth0 mtu 1500 netns ${P}loud2" "link set dev veth2fd18e3 master br-d79dc39624f5" "link set dev veth2fd18e3 up"
}
container_4() {
  ip -n "$P"loud2 -batch - <<EOF
link set dev lo up
link set dev eth0 address aa:ad:a7:5b:25:8b
addr add 10.30.2.3/24 dev eth0 brd +
link set dev eth0 up
route add default via 10.30.2.1 dev eth0
EOF
}

# Container def1.
netns_5() { printf '%s\n' "netns add ${P}def1"; }
links_5() {
  printf '%s\n' "link add name vethedb8e0f mtu 1500 type veth peer name eth0 mtu 1500 netns ${P}def1" "link set dev vethedb8e0f master docker0" "link set dev vethedb8e0f up"
}
container_5() {
  ip -n "$P"def1 -batch - <<EOF
link set dev lo up
link set dev eth0 address b2:a3:01:23:3c:00
addr add 172.17.0.2/16 dev eth0 brd +
link set dev eth0 up
route add default via 172.17.0.1 dev eth0
EOF
}

# Container def2.
netns_6() { printf '%s\n' "netns add ${P}def2"; }
links_6() {
  printf '%s\n' "link add name vethd3de78a mtu 1500 type veth peer name eth0 mtu 1500 netns ${P}def2" "link set dev vethd3de78a master docker0" "link set dev vethd3de78a up"
}
container_6() {
  ip -n "$P"def2 -batch - <<EOF
link set dev lo up
link set dev eth0 address 4e:ec:4e:75:e1:75
addr add 172.17.0.3/16 dev eth0 brd +
link set dev eth0 up
route add default via 172.17.0.1 dev eth0
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
[ "$lanes" -le 6 ] || lanes=6
each() { i=$2; while [ "$i" -le 6 ]; do "$1_$i"; i=$((i + lanes)); done; }
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
