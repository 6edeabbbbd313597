#!/bin/sh
# netform: network setup for host local, as Docker Engine 29 sets it up.
# Generated from iptablesdoc-usernet-internal.yaml; do not edit. Firewall rules are in iptables.rules / ip6tables.rules
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

# Removes what setup.sh creates and nothing else; each step tolerates what is already gone.
undo() {
  set +e
  host_ip link del vetha50af59 2>/dev/null
  host_ip link del vethf0bf249 2>/dev/null
  ip netns del "$P"c1 2>/dev/null
  ip netns del "$P"c2 2>/dev/null
  host_ip link del docker0 2>/dev/null
  host_ip link del bridgeICC 2>/dev/null
  host_ip link del bridgeNoICC 2>/dev/null
  set -e
}

# Refuse to touch anything that already exists: teardown must only remove what setup created.
links=" $(host_ip -o link show | awk -F': ' '{sub(/@.*/, "", $2); printf "%s ", $2}')"
spaces=" $(ip netns list | awk '{printf "%s ", $1}')"
for l in docker0 bridgeICC bridgeNoICC vetha50af59 vethf0bf249; do
  case "$links" in *" $l "*) echo "netform: link $l already exists; run teardown.sh first" >&2; exit 1 ;; esac
done
for n in c1 c2; do
  case "$spaces" in *" $P$n "*) echo "netform: network namespace $P$n already exists; run teardown.sh first" >&2; exit 1 ;; esac
done
trap 'rc=$?; if [ "$rc" -ne 0 ]; then echo "netform: setup failed; rolling back" >&2; undo; fi' EXIT

# Container network namespaces.
ip -batch - <<EOF
netns add ${P}c1
netns add ${P}c2
EOF

# Host side: bridges with their addresses, then one veth pair per endpoint, its peer created
# directly in the container's namespace under its final name.
host_ip -batch - <<EOF
link add name docker0 type bridge
link set dev docker0 address 4a:8b:a4:5b:79:50 mtu 1500
addr add 172.17.0.1/16 dev docker0 brd +
link set dev docker0 up
link add name bridgeICC type bridge
link set dev bridgeICC address 22:14:2e:4d:fe:39 mtu 1500
addr add 192.0.2.1/24 dev bridgeICC brd +
link set dev bridgeICC up
link add name bridgeNoICC type bridge
link set dev bridgeNoICC address 76:e6:e7:ba:ba:ac mtu 1500
addr add 198.51.100.1/24 dev bridgeNoICC brd +
link set dev bridgeNoICC up
link add name vetha50af59 mtu 1500 type veth peer name eth0 mtu 1500 netns ${P}c1
link set dev vetha50af59 master bridgeICC
link set dev vetha50af59 up
link add name vethf0bf249 mtu 1500 type veth peer name eth0 mtu 1500 netns ${P}c2
link set dev vethf0bf249 master bridgeNoICC
link set dev vethf0bf249 up
EOF

# Kernel settings Docker makes in the host namespace.
host_sh '
echo 1 > /proc/sys/net/ipv4/ip_forward
if [ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]; then echo 1 > /proc/sys/net/bridge/bridge-nf-call-iptables; else echo "netform: warning: net.bridge.bridge-nf-call-iptables is not available (Docker: br_netfilter for ICC off / userland-proxy off)" >&2; fi
if [ -e /proc/sys/net/ipv6/conf/docker0/accept_ra ]; then echo 0 > /proc/sys/net/ipv6/conf/docker0/accept_ra; else echo "netform: warning: net.ipv6.conf.docker0.accept_ra is not available (Docker: no router advertisements on the bridge (setupDefaultSysctl))" >&2; fi
if [ -e /proc/sys/net/ipv6/conf/bridgeICC/accept_ra ]; then echo 0 > /proc/sys/net/ipv6/conf/bridgeICC/accept_ra; else echo "netform: warning: net.ipv6.conf.bridgeICC.accept_ra is not available (Docker: no router advertisements on the bridge (setupDefaultSysctl))" >&2; fi
if [ -e /proc/sys/net/ipv6/conf/bridgeNoICC/accept_ra ]; then echo 0 > /proc/sys/net/ipv6/conf/bridgeNoICC/accept_ra; else echo "netform: warning: net.ipv6.conf.bridgeNoICC.accept_ra is not available (Docker: no router advertisements on the bridge (setupDefaultSysctl))" >&2; fi
'

# Container c1.
ip -n "$P"c1 -batch - <<EOF
link set dev lo up
link set dev eth0 address b6:4a:20:3c:8b:b1
addr add 192.0.2.2/24 dev eth0 brd +
link set dev eth0 up
EOF

# Container c2.
ip -n "$P"c2 -batch - <<EOF
link set dev lo up
link set dev eth0 address 9e:7b:cc:ac:3a:a2
addr add 198.51.100.2/24 dev eth0 brd +
link set dev eth0 up
EOF

trap - EXIT
