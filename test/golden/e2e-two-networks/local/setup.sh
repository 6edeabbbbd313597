#!/bin/sh
# netform: network setup for host local, as Docker Engine 29 sets it up.
# Generated from e2e-two-networks.yaml; do not edit. Firewall rules are in iptables.rules / ip6tables.rules
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
netns del ${P}web
netns del ${P}client
netns del ${P}db
netns del ${P}legacy
EOF
  n=0
  while [ "$n" -lt 200 ]; do
    links=$(host_links 2>/dev/null)
    left=
    for l in vethdc26947 vethcd84414 veth1b84158 vethe3b8215; do
      case "$links" in *" $l "*) left=1; break ;; esac
    done
    [ -n "$left" ] || break
    sleep 0.05 2>/dev/null || sleep 1
    n=$((n + 1))
  done
  host_ip -force -batch - 2>/dev/null <<EOF
link del vethdc26947
link del vethcd84414
link del veth1b84158
link del vethe3b8215
link del docker0
link del br-9202a94c871b
link del br-883c3d24cea0
EOF
  set -e
}

# Refuse to touch anything that already exists: teardown must only remove what setup created.
links=$(host_links)
spaces=" $(ip netns list | awk '{printf "%s ", $1}')"
for l in docker0 br-9202a94c871b br-883c3d24cea0 vethdc26947 vethcd84414 veth1b84158 vethe3b8215; do
  case "$links" in *" $l "*) echo "netform: link $l already exists; run teardown.sh first" >&2; exit 1 ;; esac
done
for n in web client db legacy; do
  case "$spaces" in *" $P$n "*) echo "netform: network namespace $P$n already exists; run teardown.sh first" >&2; exit 1 ;; esac
done
trap 'rc=$?; if [ "$rc" -ne 0 ]; then echo "netform: setup failed; rolling back" >&2; undo; fi' EXIT

# Host side: the bridges, with their addresses.
host_ip -batch - <<EOF
link add name docker0 type bridge
link set dev docker0 address 4a:8b:a4:5b:79:50 mtu 1500
addr add 172.17.0.1/16 dev docker0 brd +
link set dev docker0 up
link add name br-9202a94c871b type bridge
link set dev br-9202a94c871b address 86:ac:ec:1b:0f:53 mtu 1500
addr add 10.10.1.1/24 dev br-9202a94c871b brd +
addr add fd00:10:1::1/64 dev br-9202a94c871b nodad
link set dev br-9202a94c871b up
link add name br-883c3d24cea0 type bridge
link set dev br-883c3d24cea0 address 7e:de:5b:3a:9e:b4 mtu 1500
addr add 10.10.2.1/24 dev br-883c3d24cea0 brd +
link set dev br-883c3d24cea0 up
EOF

# Kernel settings Docker makes in the host namespace.
host_sh '
echo 1 > /proc/sys/net/ipv4/ip_forward
echo 1 > /proc/sys/net/ipv6/conf/all/forwarding
echo 1 > /proc/sys/net/ipv6/conf/default/forwarding
if [ -e /proc/sys/net/ipv6/conf/docker0/accept_ra ]; then echo 0 > /proc/sys/net/ipv6/conf/docker0/accept_ra; else echo "netform: warning: net.ipv6.conf.docker0.accept_ra is not available (Docker: no router advertisements on the bridge (setupDefaultSysctl))" >&2; fi
if [ -e /proc/sys/net/ipv6/conf/br-9202a94c871b/accept_ra ]; then echo 0 > /proc/sys/net/ipv6/conf/br-9202a94c871b/accept_ra; else echo "netform: warning: net.ipv6.conf.br-9202a94c871b.accept_ra is not available (Docker: no router advertisements on the bridge (setupDefaultSysctl))" >&2; fi
echo 0 > /proc/sys/net/ipv6/conf/br-9202a94c871b/disable_ipv6
if [ -e /proc/sys/net/ipv6/conf/br-883c3d24cea0/accept_ra ]; then echo 0 > /proc/sys/net/ipv6/conf/br-883c3d24cea0/accept_ra; else echo "netform: warning: net.ipv6.conf.br-883c3d24cea0.accept_ra is not available (Docker: no router advertisements on the bridge (setupDefaultSysctl))" >&2; fi
'

# Each container: its network namespace (netns_N), its veth pairs, each peer created directly in the
# namespace under its final name (links_N, host side), then, inside the namespace, its addresses,
# links up and default routes (container_N).

# Container web.
netns_1() { printf '%s\n' "netns add ${P}web"; }
links_1() {
  printf '%s\n' "link add name vethdc26947 mtu 1500 type veth peer name eth0 mtu 1500 netns ${P}web" "link set dev vethdc26947 master br-9202a94c871b" "link set dev vethdc26947 up"
}
container_1() {
  ip -n "$P"web -batch - <<EOF
link set dev lo up
link set dev eth0 address 6a:80:77:85:f7:85
addr add 10.10.1.2/24 dev eth0 brd +
addr add fd00:10:1::2/64 dev eth0 nodad
link set dev eth0 up
route add default via 10.10.1.1 dev eth0
route add default via fd00:10:1::1 dev eth0
EOF
}

# Container client.
netns_2() { printf '%s\n' "netns add ${P}client"; }
links_2() {
  printf '%s\n' "link add name vethcd84414 mtu 1500 type veth peer name eth0 mtu 1500 netns ${P}client" "link set dev vethcd84414 master br-9202a94c871b" "link set dev vethcd84414 up"
}
container_2() {
  ip -n "$P"client -batch - <<EOF
link set dev lo up
link set dev eth0 address de:5f:0c:bc:1b:3a
addr add 10.10.1.3/24 dev eth0 brd +
addr add fd00:10:1::3/64 dev eth0 nodad
link set dev eth0 up
route add default via 10.10.1.1 dev eth0
route add default via fd00:10:1::1 dev eth0
EOF
}

# Container db.
netns_3() { printf '%s\n' "netns add ${P}db"; }
links_3() {
  printf '%s\n' "link add name veth1b84158 mtu 1500 type veth peer name eth0 mtu 1500 netns ${P}db" "link set dev veth1b84158 master br-883c3d24cea0" "link set dev veth1b84158 up"
}
container_3() {
  ip -n "$P"db -batch - <<EOF
link set dev lo up
link set dev eth0 address ea:f9:c3:ca:a5:f7
addr add 10.10.2.2/24 dev eth0 brd +
link set dev eth0 up
route add default via 10.10.2.1 dev eth0
EOF
}

# Container legacy.
netns_4() { printf '%s\n' "netns add ${P}legacy"; }
links_4() {
  printf '%s\n' "link add name vethe3b8215 mtu 1500 type veth peer name eth0 mtu 1500 netns ${P}legacy" "link set dev vethe3b8215 master docker0" "link set dev vethe3b8215 up"
}
container_4() {
  ip -n "$P"legacy -batch - <<EOF
link set dev lo up
link set dev eth0 address 0e:08:ab:3f:0a:3a
addr add 172.17.0.2/16 dev eth0 brd +
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
[ "$lanes" -le 4 ] || lanes=4
each() { i=$2; while [ "$i" -le 4 ]; do "$1_$i"; i=$((i + lanes)); done; }
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
