#!/bin/sh
# netform: network setup for host local, as Docker Engine 29 sets it up.
# Generated from alpine-net-hosts.yaml; do not edit. Firewall rules are in iptables.rules / ip6tables.rules
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
  host_ip link del veth6e27529 2>/dev/null
  host_ip link del veth31cd2af 2>/dev/null
  host_ip link del vethd35401e 2>/dev/null
  host_ip link del veth79dddc1 2>/dev/null
  host_ip link del vethe2c7b7e 2>/dev/null
  ip netns del "$P"alpine1 2>/dev/null
  ip netns del "$P"alpine2 2>/dev/null
  ip netns del "$P"alpine3 2>/dev/null
  ip netns del "$P"alpine4 2>/dev/null
  host_ip link del docker0 2>/dev/null
  host_ip link del br-917ef3dc3da1 2>/dev/null
  set -e
}

# Refuse to touch anything that already exists: teardown must only remove what setup created.
links=" $(host_ip -o link show | awk -F': ' '{sub(/@.*/, "", $2); printf "%s ", $2}')"
spaces=" $(ip netns list | awk '{printf "%s ", $1}')"
for l in docker0 br-917ef3dc3da1 veth6e27529 veth31cd2af vethd35401e veth79dddc1 vethe2c7b7e; do
  case "$links" in *" $l "*) echo "netform: link $l already exists; run teardown.sh first" >&2; exit 1 ;; esac
done
for n in alpine1 alpine2 alpine3 alpine4; do
  case "$spaces" in *" $P$n "*) echo "netform: network namespace $P$n already exists; run teardown.sh first" >&2; exit 1 ;; esac
done
trap 'rc=$?; if [ "$rc" -ne 0 ]; then echo "netform: setup failed; rolling back" >&2; undo; fi' EXIT

# Container network namespaces.
ip -batch - <<EOF
netns add ${P}alpine1
netns add ${P}alpine2
netns add ${P}alpine3
netns add ${P}alpine4
EOF

# Host side: bridges with their addresses, then one veth pair per endpoint, its peer created
# directly in the container's namespace under its final name.
host_ip -batch - <<EOF
link add name docker0 type bridge
link set dev docker0 address 4a:8b:a4:5b:79:50 mtu 1500
addr add 172.17.0.1/16 dev docker0 brd +
link set dev docker0 up
link add name br-917ef3dc3da1 type bridge
link set dev br-917ef3dc3da1 address 3e:c6:b0:3b:b4:a1 mtu 1500
addr add 172.18.0.1/16 dev br-917ef3dc3da1 brd +
link set dev br-917ef3dc3da1 up
link add name veth6e27529 mtu 1500 type veth peer name eth0 mtu 1500 netns ${P}alpine1
link set dev veth6e27529 master br-917ef3dc3da1
link set dev veth6e27529 up
link add name veth31cd2af mtu 1500 type veth peer name eth0 mtu 1500 netns ${P}alpine2
link set dev veth31cd2af master br-917ef3dc3da1
link set dev veth31cd2af up
link add name vethd35401e mtu 1500 type veth peer name eth0 mtu 1500 netns ${P}alpine3
link set dev vethd35401e master docker0
link set dev vethd35401e up
link add name veth79dddc1 mtu 1500 type veth peer name eth0 mtu 1500 netns ${P}alpine4
link set dev veth79dddc1 master br-917ef3dc3da1
link set dev veth79dddc1 up
link add name vethe2c7b7e mtu 1500 type veth peer name eth1 mtu 1500 netns ${P}alpine4
link set dev vethe2c7b7e master docker0
link set dev vethe2c7b7e up
EOF

# Kernel settings Docker makes in the host namespace.
host_sh '
echo 1 > /proc/sys/net/ipv4/ip_forward
if [ -e /proc/sys/net/ipv6/conf/docker0/accept_ra ]; then echo 0 > /proc/sys/net/ipv6/conf/docker0/accept_ra; else echo "netform: warning: net.ipv6.conf.docker0.accept_ra is not available (Docker: no router advertisements on the bridge (setupDefaultSysctl))" >&2; fi
if [ -e /proc/sys/net/ipv6/conf/br-917ef3dc3da1/accept_ra ]; then echo 0 > /proc/sys/net/ipv6/conf/br-917ef3dc3da1/accept_ra; else echo "netform: warning: net.ipv6.conf.br-917ef3dc3da1.accept_ra is not available (Docker: no router advertisements on the bridge (setupDefaultSysctl))" >&2; fi
'

# Container alpine1.
ip -n "$P"alpine1 -batch - <<EOF
link set dev lo up
link set dev eth0 address 36:a7:af:0e:a9:8f
addr add 172.18.0.2/16 dev eth0 brd +
link set dev eth0 up
route add default via 172.18.0.1 dev eth0
EOF

# Container alpine2.
ip -n "$P"alpine2 -batch - <<EOF
link set dev lo up
link set dev eth0 address 8e:a1:9e:e0:73:ce
addr add 172.18.0.3/16 dev eth0 brd +
link set dev eth0 up
route add default via 172.18.0.1 dev eth0
EOF

# Container alpine3.
ip -n "$P"alpine3 -batch - <<EOF
link set dev lo up
link set dev eth0 address 7e:35:e3:90:f7:9a
addr add 172.17.0.2/16 dev eth0 brd +
link set dev eth0 up
route add default via 172.17.0.1 dev eth0
EOF

# Container alpine4.
ip -n "$P"alpine4 -batch - <<EOF
link set dev lo up
link set dev eth0 address 7e:bb:62:a4:2a:1a
addr add 172.18.0.4/16 dev eth0 brd +
link set dev eth0 up
link set dev eth1 address 0e:84:43:f5:7b:ce
addr add 172.17.0.3/16 dev eth1 brd +
link set dev eth1 up
route add default via 172.18.0.1 dev eth0
EOF

trap - EXIT
