#!/bin/sh
# netform: network setup for host local, as Docker Engine 29 sets it up.
# Generated from my-net.yaml; do not edit. Firewall rules are in iptables.rules / ip6tables.rules
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
  host_ip link del vethf06cdc5 2>/dev/null
  ip netns del "$P"my-nginx 2>/dev/null
  host_ip link del docker0 2>/dev/null
  host_ip link del br-0dfc683164d0 2>/dev/null
  set -e
}

# Refuse to touch anything that already exists: teardown must only remove what setup created.
links=" $(host_ip -o link show | awk -F': ' '{sub(/@.*/, "", $2); printf "%s ", $2}')"
spaces=" $(ip netns list | awk '{printf "%s ", $1}')"
for l in docker0 br-0dfc683164d0 vethf06cdc5; do
  case "$links" in *" $l "*) echo "netform: link $l already exists; run teardown.sh first" >&2; exit 1 ;; esac
done
for n in my-nginx; do
  case "$spaces" in *" $P$n "*) echo "netform: network namespace $P$n already exists; run teardown.sh first" >&2; exit 1 ;; esac
done
trap 'rc=$?; if [ "$rc" -ne 0 ]; then echo "netform: setup failed; rolling back" >&2; undo; fi' EXIT

# Container network namespaces.
ip -batch - <<EOF
netns add ${P}my-nginx
EOF

# Host side: bridges with their addresses, then one veth pair per endpoint, its peer created
# directly in the container's namespace under its final name.
host_ip -batch - <<EOF
link add name docker0 type bridge
link set dev docker0 address 4a:8b:a4:5b:79:50 mtu 1500
addr add 172.17.0.1/16 dev docker0 brd +
link set dev docker0 up
link add name br-0dfc683164d0 type bridge
link set dev br-0dfc683164d0 address 8a:20:54:e4:c4:63 mtu 1500
addr add 172.18.0.1/16 dev br-0dfc683164d0 brd +
link set dev br-0dfc683164d0 up
link add name vethf06cdc5 mtu 1500 type veth peer name eth0 mtu 1500 netns ${P}my-nginx
link set dev vethf06cdc5 master br-0dfc683164d0
link set dev vethf06cdc5 up
EOF

# Kernel settings Docker makes in the host namespace.
host_sh '
echo 1 > /proc/sys/net/ipv4/ip_forward
if [ -e /proc/sys/net/ipv6/conf/docker0/accept_ra ]; then echo 0 > /proc/sys/net/ipv6/conf/docker0/accept_ra; else echo "netform: warning: net.ipv6.conf.docker0.accept_ra is not available (Docker: no router advertisements on the bridge (setupDefaultSysctl))" >&2; fi
if [ -e /proc/sys/net/ipv6/conf/br-0dfc683164d0/accept_ra ]; then echo 0 > /proc/sys/net/ipv6/conf/br-0dfc683164d0/accept_ra; else echo "netform: warning: net.ipv6.conf.br-0dfc683164d0.accept_ra is not available (Docker: no router advertisements on the bridge (setupDefaultSysctl))" >&2; fi
'

# Container my-nginx.
ip -n "$P"my-nginx -batch - <<EOF
link set dev lo up
link set dev eth0 address ce:13:4d:73:65:5f
addr add 172.18.0.2/16 dev eth0 brd +
link set dev eth0 up
route add default via 172.18.0.1 dev eth0
EOF

trap - EXIT
