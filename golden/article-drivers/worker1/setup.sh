#!/bin/sh
# netform: network setup for host worker1, as Docker Engine 29 sets it up.
# Generated from article-drivers.yaml; do not edit. Firewall rules are in iptables.rules / ip6tables.rules
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
# The names of the host's links, space-separated, with a space before and after each; fails when ip does.
host_links() { _l=$(host_ip -o link show) || return 1; echo " $(printf '%s\n' "$_l" | awk -F': ' '{sub(/@.*/, "", $2); printf "%s ", $2}')"; }
# One netform setup.sh or teardown.sh at a time on this machine: each holds an exclusive lock, flock(1)
# of util-linux on /run/lock/netform.lock, until it ends (a later one waits for it).
command -v flock >/dev/null 2>&1 || { echo "netform: flock (util-linux) is needed to run this script" >&2; exit 2; }
mkdir -p /run/lock
exec 9>>/run/lock/netform.lock
if ! flock -n 9; then
  echo "netform: waiting for another netform setup.sh or teardown.sh to finish (/run/lock/netform.lock)" >&2
  flock 9
fi

# Refuse to touch anything that already exists: this run creates every link and namespace it names.
# A listing that fails is a failure, never "nothing exists".
links=$(host_links) || { echo "netform: cannot list the links (ip link show failed); nothing was changed" >&2; exit 1; }
spaces=$(ip netns list) || { echo "netform: cannot list the network namespaces (ip netns list failed); nothing was changed" >&2; exit 1; }
spaces=" $(printf '%s\n' "$spaces" | awk '{printf "%s ", $1}')"
for l in docker0 docker_gwbridge veth520c6fa veth162c073 vethf0a3649 vethb3aab99 vx-001000-9b46e vx-001001-10fd5 vx-001003-0b3c8; do
  case "$links" in *" $l "*) echo "netform: link $l already exists; run teardown.sh first" >&2; exit 1 ;; esac
done
for n in ingress_sbox my-nginx.2 my-dnsrr.1 alpine2 probe 1-9b46e4d1b9 1-10fd52b41f 1-0b3c8fc256; do
  case "$spaces" in *" $P$n "*) echo "netform: network namespace $P$n already exists; run teardown.sh first" >&2; exit 1 ;; esac
done
# The journal of this run, in $J (removed when the script ends). `made NAME CMD...` saves its standard
# input as $J/NAME and runs `CMD -batch $J/NAME` (made_from NAME FILE CMD... runs it on FILE). ip stops a
# batch at its first failing line and names it ("Command failed FILE:N", iproute2 ip/ip.c batch()): the
# lines before it are done, the failing one changed nothing. What those lines created is journaled: the
# namespaces, the links made in the host namespace (not those made in, or moved to, one of this run's
# namespaces: they go with it), the xfrm entries (as the lines that delete them).
J=$(mktemp -d "${TMPDIR:-/tmp}/netform-setup.XXXXXX")
made() { _m=$1; shift; cat > "$J/$_m"; made_from "$_m" "$J/$_m" "$@"; }
made_from() {
  _m=$1 _f=$2
  shift 2
  _rc=0
  "$@" -batch "$_f" 2> "$J/$_m.err" || _rc=$?
  cat "$J/$_m.err" >&2
  _n=0
  if [ "$_rc" -ne 0 ]; then
    _n=$(sed -n 's/^Command failed .*:\([0-9][0-9]*\)$/\1/p' "$J/$_m.err" | head -n 1)
    [ -n "$_n" ] || _n=1
  fi
  awk -v n="$_n" '
    n && NR >= n { exit }
    $1 == "netns" && $2 == "add" { print "netns", $3; next }
    $1 == "link" && $2 == "add" {
      name = ""; away = 0
      for (i = 3; i < NF && $i != "type"; i += 2) { if ($i == "name") name = $(i + 1); if ($i == "netns") away = 1 }
      if (name != "" && !away) { names[++k] = name; kind[name] = $(i + 1) == "veth" ? "veth" : "link" }
      next
    }
    $1 == "link" && $2 == "set" && $3 == "dev" && $5 == "netns" { kind[$4] = ""; next }
    $1 == "xfrm" && $3 == "add" && $2 == "state" { print "xfrm xfrm state delete", $4, $5, $6, $7, $8, $9, $10, $11; next }
    $1 == "xfrm" && $3 == "add" && $2 == "policy" { s = "xfrm xfrm policy delete"; for (i = 4; i <= NF && $i != "tmpl"; i++) s = s " " $i; print s; next }
    END { for (j = 1; j <= k; j++) if (kind[names[j]] != "") print kind[names[j]], names[j] }
  ' "$_f" >> "$J/$_m.made"
  return "$_rc"
}
# Removes what the journal holds, and nothing else: the namespaces first (their veth pairs go with
# them; the kernel finishes that in the background, so the host ends are waited for, up to 10 s), then
# the xfrm entries and the host's links, last made first.
rollback() {
  set +e
  wait
  cat "$J"/*.made > "$J/undo" 2>/dev/null
  awk '$1 == "netns" { print "netns del " $2 }' "$J/undo" | ip -force -batch - 2>/dev/null
  n=0
  while [ "$n" -lt 200 ]; do
    links=$(host_links 2>/dev/null) || break
    left=
    for l in $(awk '$1 == "veth" { print $2 }' "$J/undo"); do
      case "$links" in *" $l "*) left=1; break ;; esac
    done
    [ -n "$left" ] || break
    sleep 0.05 2>/dev/null || sleep 1
    n=$((n + 1))
  done
  awk '$1 == "xfrm" { sub(/^xfrm /, ""); l[++k] = $0 } $1 == "link" || $1 == "veth" { l[++k] = "link del " $2 } END { while (k) print l[k--] }' "$J/undo" | host_ip -force -batch - 2>/dev/null
  set -e
}
trap 'rc=$?; trap - EXIT; if [ "$rc" -ne 0 ]; then echo "netform: setup failed; rolling back what this run created" >&2; rollback; fi; rm -rf "$J"; exit "$rc"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# Host side: the bridges, with their addresses.
made bridges host_ip <<EOF
link add name docker0 type bridge
link set dev docker0 address 4a:8b:a4:5b:79:50 mtu 1500
addr add 172.17.0.1/16 dev docker0 brd +
link set dev docker0 up
link add name docker_gwbridge type bridge
link set dev docker_gwbridge address d6:60:3f:99:a5:1c mtu 1500
addr add 172.18.0.1/16 dev docker_gwbridge brd +
link set dev docker_gwbridge up
EOF

# Kernel settings Docker makes in the host namespace.
host_sh '
echo 1 > /proc/sys/net/ipv4/ip_forward
if [ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]; then echo 1 > /proc/sys/net/bridge/bridge-nf-call-iptables; else echo "netform: warning: net.bridge.bridge-nf-call-iptables is not available (Docker: br_netfilter for ICC off / userland-proxy off)" >&2; fi
echo 1 > /proc/sys/net/ipv4/conf/docker_gwbridge/route_localnet
if [ -e /proc/sys/net/ipv6/conf/docker0/accept_ra ]; then echo 0 > /proc/sys/net/ipv6/conf/docker0/accept_ra; else echo "netform: warning: net.ipv6.conf.docker0.accept_ra is not available (Docker: no router advertisements on the bridge (setupDefaultSysctl))" >&2; fi
if [ -e /proc/sys/net/ipv6/conf/docker_gwbridge/accept_ra ]; then echo 0 > /proc/sys/net/ipv6/conf/docker_gwbridge/accept_ra; else echo "netform: warning: net.ipv6.conf.docker_gwbridge.accept_ra is not available (Docker: no router advertisements on the bridge (setupDefaultSysctl))" >&2; fi
'

# Overlay networks: a namespace each, holding the bridge br0 (with the gateway) and the VXLAN device,
# created in the host namespace (so that it sends from the host's underlay address) and moved in, where
# it is renamed vxlan0 (Docker ov_network.go setupSubnetSandbox). Peers on other hosts are written
# statically: a neighbour entry and an FDB entry per remote endpoint, a flood entry per remote host.
made overlay-netns ip <<EOF
netns add ${P}1-9b46e4d1b9
netns add ${P}1-10fd52b41f
netns add ${P}1-0b3c8fc256
EOF
made overlay-links host_ip <<EOF
link add name vx-001000-9b46e mtu 1150 type vxlan id 4096 local 192.168.56.12 dstport 4789 learning proxy l2miss l3miss
link set dev vx-001000-9b46e netns ${P}1-9b46e4d1b9
link add name vx-001001-10fd5 mtu 1450 type vxlan id 4097 local 192.168.56.12 dstport 4789 learning proxy l2miss l3miss
link set dev vx-001001-10fd5 netns ${P}1-10fd52b41f
link add name vx-001003-0b3c8 mtu 1424 type vxlan id 4099 local 192.168.56.12 dstport 4789 learning proxy l2miss l3miss
link set dev vx-001003-0b3c8 netns ${P}1-0b3c8fc256
EOF
ip -n "$P"1-9b46e4d1b9 -batch - <<EOF
link set dev lo up
link add name br0 type bridge
link set dev br0 address 02:6d:fa:e1:1e:10 mtu 1150
addr add 10.11.0.2/16 dev br0 brd +
link set dev vx-001000-9b46e name vxlan0
link set dev vxlan0 master br0 mtu 1150
link set dev vxlan0 up
link set dev br0 up
neigh add 10.11.0.1 lladdr 02:42:0a:0b:00:01 dev vxlan0 nud permanent
neigh add 10.11.0.5 lladdr 02:42:0a:0b:00:05 dev vxlan0 nud permanent
EOF
bridge -n "$P"1-9b46e4d1b9 -batch - <<EOF
fdb append 00:00:00:00:00:00 dev vxlan0 dst 192.168.56.11
fdb replace 02:42:0a:0b:00:01 dev vxlan0 dst 192.168.56.11 self permanent
fdb replace 02:42:0a:0b:00:05 dev vxlan0 dst 192.168.56.11 self permanent
EOF
ip -n "$P"1-10fd52b41f -batch - <<EOF
link set dev lo up
link add name br0 type bridge
link set dev br0 address ba:c0:40:34:00:d4 mtu 1450
addr add 10.0.0.1/24 dev br0 brd +
link set dev vx-001001-10fd5 name vxlan0
link set dev vxlan0 master br0 mtu 1450
link set dev vxlan0 up
link set dev br0 up
neigh add 10.0.0.3 lladdr 02:42:0a:00:00:03 dev vxlan0 nud permanent
EOF
bridge -n "$P"1-10fd52b41f -batch - <<EOF
fdb append 00:00:00:00:00:00 dev vxlan0 dst 192.168.56.11
fdb replace 02:42:0a:00:00:03 dev vxlan0 dst 192.168.56.11 self permanent
EOF
ip -n "$P"1-0b3c8fc256 -batch - <<EOF
link set dev lo up
link add name br0 type bridge
link set dev br0 address fe:e9:0f:b8:87:26 mtu 1424
addr add 10.0.2.1/24 dev br0 brd +
link set dev vx-001003-0b3c8 name vxlan0
link set dev vxlan0 master br0 mtu 1424
link set dev vxlan0 up
link set dev br0 up
neigh add 10.0.2.2 lladdr 02:42:0a:00:02:02 dev vxlan0 nud permanent
EOF
bridge -n "$P"1-0b3c8fc256 -batch - <<EOF
fdb append 00:00:00:00:00:00 dev vxlan0 dst 192.168.56.11
fdb replace 02:42:0a:00:02:02 dev vxlan0 dst 192.168.56.11 self permanent
EOF

# Encrypted overlays: ESP transport-mode SAs with each peer host, then the policies that send the
# marked VXLAN packets through them (overlay/encryption.go). The SAs hold the swarm's keys: they are
# in xfrm-states.secret beside this script (mode 0600), never in this file.
D=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
made_from xfrm-states "$D/xfrm-states.secret" host_ip
made xfrm-policies host_ip <<EOF
xfrm policy add src 192.168.56.12/32 dst 192.168.56.11/32 proto udp dport 4789 dir out mark 0xd0c4e3 mask 0xffffffff tmpl src 192.168.56.12 dst 192.168.56.11 proto esp spi 0xca8e01f6 reqid 13681891 mode transport
EOF

# Each container: its network namespace (netns_N), its veth pairs, each peer created directly in the
# namespace under its final name (links_N, host side), then, inside the namespace, its addresses,
# links up and default routes (container_N).

# Container ingress_sbox.
netns_1() { printf '%s\n' "netns add ${P}ingress_sbox"; }
links_1() {
  printf '%s\n' "link add name veth520c6fa mtu 1500 type veth peer name eth1 mtu 1500 netns ${P}ingress_sbox" "link set dev veth520c6fa master docker_gwbridge" "link set dev veth520c6fa up"
  printf '%s\n' "link add name veth4b0ca92 mtu 1150 netns ${P}1-9b46e4d1b9 type veth peer name eth0 mtu 1150 netns ${P}ingress_sbox"
}
container_1() {
  ip -n "$P"ingress_sbox -batch - <<EOF
link set dev lo up
link set dev eth0 address 02:42:0a:0b:00:03
addr add 10.11.0.3/16 dev eth0 brd +
link set dev eth0 up
link set dev eth1 address c2:3c:f7:d9:4f:34
addr add 172.18.0.2/16 dev eth1 brd +
link set dev eth1 up
route add default via 172.18.0.1 dev eth1
addr add 10.11.0.4/32 dev eth0
EOF
  ip netns exec "$P"ingress_sbox iptables-restore <<'EOF' || echo "netform: warning: the routing mesh's rules in ingress_sbox did not load (does the kernel have IPVS and xt_ipvs?)" >&2
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -p tcp -m tcp --dport 8080 -j MARK --set-xmark 0x100/0xffffffff
-A INPUT -d 10.11.0.4/32 -j MARK --set-xmark 0x100/0xffffffff
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -d 10.11.0.0/16 -m ipvs --ipvs -j SNAT --to-source 10.11.0.3
COMMIT
EOF
  if command -v ipvsadm >/dev/null 2>&1 && ip netns exec "$P"ingress_sbox ipvsadm -R <<'EOF'
-A -f 256 -s rr
-a -f 256 -r 10.11.0.5:0 -m -w 1
-a -f 256 -r 10.11.0.6:0 -m -w 1
EOF
  then ip netns exec "$P"ingress_sbox sh -euc '
if [ -e /proc/sys/net/ipv4/vs/conn_reuse_mode ]; then echo 0 > /proc/sys/net/ipv4/vs/conn_reuse_mode; fi
if [ -e /proc/sys/net/ipv4/vs/expire_nodest_conn ]; then echo 1 > /proc/sys/net/ipv4/vs/expire_nodest_conn; fi
if [ -e /proc/sys/net/ipv4/vs/expire_quiescent_template ]; then echo 1 > /proc/sys/net/ipv4/vs/expire_quiescent_template; fi
if [ -e /proc/sys/net/ipv4/vs/conntrack ]; then echo 1 > /proc/sys/net/ipv4/vs/conntrack; fi
'
  else echo "netform: warning: the routing mesh's IPVS services in ingress_sbox were not created (needs ipvsadm and a kernel with IPVS)" >&2
  fi
}

# Container my-nginx.2.
netns_2() { printf '%s\n' "netns add ${P}my-nginx.2"; }
links_2() {
  printf '%s\n' "link add name veth162c073 mtu 1500 type veth peer name eth1 mtu 1500 netns ${P}my-nginx.2" "link set dev veth162c073 master docker_gwbridge" "link set dev veth162c073 up"
  printf '%s\n' "link add name vetha4425fe mtu 1150 netns ${P}1-9b46e4d1b9 type veth peer name eth0 mtu 1150 netns ${P}my-nginx.2"
  printf '%s\n' "link add name vethde5e98f mtu 1450 netns ${P}1-10fd52b41f type veth peer name eth2 mtu 1450 netns ${P}my-nginx.2"
}
container_2() {
  ip -n "$P"my-nginx.2 -batch - <<EOF
link set dev lo up
link set dev eth0 address 02:42:0a:0b:00:06
addr add 10.11.0.6/16 dev eth0 brd +
link set dev eth0 up
link set dev eth1 address 96:a7:5e:29:78:a9
addr add 172.18.0.3/16 dev eth1 brd +
link set dev eth1 up
link set dev eth2 address 02:42:0a:00:00:04
addr add 10.0.0.4/24 dev eth2 brd +
link set dev eth2 up
route add default via 172.18.0.1 dev eth1
EOF
  ip netns exec "$P"my-nginx.2 iptables-restore <<'EOF'
*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -d 10.11.0.6/32 -p tcp -m tcp --dport 80 -m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT
-A INPUT -d 10.11.0.6/32 -p sctp -j DROP
-A INPUT -d 10.11.0.6/32 -p udp -j DROP
-A INPUT -d 10.11.0.6/32 -p tcp -j DROP
-A OUTPUT -s 10.11.0.6/32 -p tcp -m tcp --sport 80 -m conntrack --ctstate ESTABLISHED -j ACCEPT
-A OUTPUT -s 10.11.0.6/32 -p sctp -j DROP
-A OUTPUT -s 10.11.0.6/32 -p udp -j DROP
-A OUTPUT -s 10.11.0.6/32 -p tcp -j DROP
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -d 10.11.0.6/32 -p tcp -m tcp --dport 8080 -j REDIRECT --to-ports 80
COMMIT
EOF
}

# Container my-dnsrr.1.
netns_3() { printf '%s\n' "netns add ${P}my-dnsrr.1"; }
links_3() {
  printf '%s\n' "link add name vethf0a3649 mtu 1500 type veth peer name eth1 mtu 1500 netns ${P}my-dnsrr.1" "link set dev vethf0a3649 master docker_gwbridge" "link set dev vethf0a3649 up"
  printf '%s\n' "link add name veth85b5ca4 mtu 1450 netns ${P}1-10fd52b41f type veth peer name eth0 mtu 1450 netns ${P}my-dnsrr.1"
}
container_3() {
  ip -n "$P"my-dnsrr.1 -batch - <<EOF
link set dev lo up
link set dev eth0 address 02:42:0a:00:00:05
addr add 10.0.0.5/24 dev eth0 brd +
link set dev eth0 up
link set dev eth1 address 22:db:04:50:45:fc
addr add 172.18.0.4/16 dev eth1 brd +
link set dev eth1 up
route add default via 172.18.0.1 dev eth1
EOF
}

# Container alpine2.
netns_4() { printf '%s\n' "netns add ${P}alpine2"; }
links_4() {
  printf '%s\n' "link add name vethb3aab99 mtu 1500 type veth peer name eth1 mtu 1500 netns ${P}alpine2" "link set dev vethb3aab99 master docker_gwbridge" "link set dev vethb3aab99 up"
  printf '%s\n' "link add name vethb31d7a2 mtu 1424 netns ${P}1-0b3c8fc256 type veth peer name eth0 mtu 1424 netns ${P}alpine2"
}
container_4() {
  ip -n "$P"alpine2 -batch - <<EOF
link set dev lo up
link set dev eth0 address 02:42:0a:00:02:03
addr add 10.0.2.3/24 dev eth0 brd +
link set dev eth0 up
link set dev eth1 address 8e:22:2f:10:ff:0d
addr add 172.18.0.5/16 dev eth1 brd +
link set dev eth1 up
route add default via 172.18.0.1 dev eth1
EOF
}

# Container probe.
netns_5() { printf '%s\n' "netns add ${P}probe"; }
links_5() {
  printf '%s\n' "link add link eth1 name eth0 mtu 1500 netns ${P}probe type ipvlan mode l2 bridge"
}
container_5() {
  ip -n "$P"probe -batch - <<EOF
link set dev lo up
link set dev eth0 address 3e:3c:3c:28:35:f2
addr add 192.168.210.2/24 dev eth0 brd +
link set dev eth0 up
route add default via 192.168.210.1 dev eth0
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
[ "$lanes" -le 5 ] || lanes=5
each() { i=$2; while [ "$i" -le 5 ]; do "$1_$i"; i=$((i + lanes)); done; }
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

# The containers' ends in overlay 1-9b46e4d1b9: ports of br0.
ip -n "$P"1-9b46e4d1b9 -batch - <<EOF
link set dev veth4b0ca92 master br0
link set dev veth4b0ca92 up
link set dev vetha4425fe master br0
link set dev vetha4425fe up
EOF

# The containers' ends in overlay 1-10fd52b41f: ports of br0.
ip -n "$P"1-10fd52b41f -batch - <<EOF
link set dev vethde5e98f master br0
link set dev vethde5e98f up
link set dev veth85b5ca4 master br0
link set dev veth85b5ca4 up
EOF

# The containers' ends in overlay 1-0b3c8fc256: ports of br0.
ip -n "$P"1-0b3c8fc256 -batch - <<EOF
link set dev vethb31d7a2 master br0
link set dev vethb31d7a2 up
EOF

trap - EXIT HUP INT TERM
rm -rf "$J"
