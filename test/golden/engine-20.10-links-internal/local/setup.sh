#!/bin/sh
# netform: network setup for host local, as Docker Engine 20.10 sets it up.
# Generated from engine-20.10-links-internal.yaml; do not edit. Firewall rules are in iptables.rules / ip6tables.rules
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
for l in docker0 back0 front0 vethc0af91e vethf1172e2 vethbd6390d veth7ef5982 veth98f3211; do
  case "$links" in *" $l "*) echo "netform: link $l already exists; run teardown.sh first" >&2; exit 1 ;; esac
done
for n in db web vault api; do
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
link set dev docker0 address 02:42:4a:8b:a4:5b mtu 1500
addr add 172.17.0.1/16 dev docker0 brd +
link set dev docker0 up
link add name back0 type bridge
link set dev back0 address 02:42:7c:de:5b:3a mtu 1500
addr add 10.71.0.1/24 dev back0 brd +
link set dev back0 up
link add name front0 type bridge
link set dev front0 address 02:42:87:ac:ec:1b mtu 1500
addr add 10.72.0.1/24 dev front0 brd +
link set dev front0 up
EOF

# Kernel settings Docker makes in the host namespace.
host_sh '
echo 1 > /proc/sys/net/ipv4/ip_forward
if [ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]; then echo 1 > /proc/sys/net/bridge/bridge-nf-call-iptables; else echo "netform: warning: net.bridge.bridge-nf-call-iptables is not available (Docker: br_netfilter for ICC off / userland-proxy off)" >&2; fi
if [ -e /proc/sys/net/ipv6/conf/docker0/accept_ra ]; then echo 0 > /proc/sys/net/ipv6/conf/docker0/accept_ra; else echo "netform: warning: net.ipv6.conf.docker0.accept_ra is not available (Docker: no router advertisements on the bridge (setupDefaultSysctl))" >&2; fi
if [ -e /proc/sys/net/ipv6/conf/back0/accept_ra ]; then echo 0 > /proc/sys/net/ipv6/conf/back0/accept_ra; else echo "netform: warning: net.ipv6.conf.back0.accept_ra is not available (Docker: no router advertisements on the bridge (setupDefaultSysctl))" >&2; fi
if [ -e /proc/sys/net/ipv6/conf/front0/accept_ra ]; then echo 0 > /proc/sys/net/ipv6/conf/front0/accept_ra; else echo "netform: warning: net.ipv6.conf.front0.accept_ra is not available (Docker: no router advertisements on the bridge (setupDefaultSysctl))" >&2; fi
'

# Each container: its network namespace (netns_N), its veth pairs, each peer created directly in the
# namespace under its final name (links_N, host side), then, inside the namespace, its addresses,
# links up and default routes (container_N).

# Container db.
netns_1() { printf '%s\n' "netns add ${P}db"; }
links_1() {
  printf '%s\n' "link add name vethc0af91e mtu 1500 type veth peer name eth0 mtu 1500 netns ${P}db" "link set dev vethc0af91e master docker0" "link set dev vethc0af91e up"
}
container_1() {
  ip -n "$P"db -batch - <<EOF
link set dev lo up
link set dev eth0 address 02:42:ac:11:00:02
addr add 172.17.0.2/16 dev eth0 brd +
link set dev eth0 up
route add default via 172.17.0.1 dev eth0
EOF
}

# Container web.
netns_2() { printf '%s\n' "netns add ${P}web"; }
links_2() {
  printf '%s\n' "link add name vethf1172e2 mtu 1500 type veth peer name eth0 mtu 1500 netns ${P}web" "link set dev vethf1172e2 master docker0" "link set dev vethf1172e2 up"
}
container_2() {
  ip -n "$P"web -batch - <<EOF
link set dev lo up
link set dev eth0 address 02:42:ac:11:00:03
addr add 172.17.0.3/16 dev eth0 brd +
link set dev eth0 up
route add default via 172.17.0.1 dev eth0
EOF
}

# Container vault.
netns_3() { printf '%s\n' "netns add ${P}vault"; }
links_3() {
  printf '%s\n' "link add name vethbd6390d mtu 1500 type veth peer name eth0 mtu 1500 netns ${P}vault" "link set dev vethbd6390d master back0" "link set dev vethbd6390d up"
}
container_3() {
  ip -n "$P"vault -batch - <<EOF
link set dev lo up
link set dev eth0 address 02:42:0a:47:00:02
addr add 10.71.0.2/24 dev eth0 brd +
link set dev eth0 up
route add default via 10.71.0.1 dev eth0
EOF
}

# Container api.
netns_4() { printf '%s\n' "netns add ${P}api"; }
links_4() {
  printf '%s\n' "link add name veth7ef5982 mtu 1500 type veth peer name eth0 mtu 1500 netns ${P}api" "link set dev veth7ef5982 master back0" "link set dev veth7ef5982 up"
  printf '%s\n' "link add name veth98f3211 mtu 1500 type veth peer name eth1 mtu 1500 netns ${P}api" "link set dev veth98f3211 master front0" "link set dev veth98f3211 up"
}
container_4() {
  ip -n "$P"api -batch - <<EOF
link set dev lo up
link set dev eth0 address 02:42:0a:47:00:03
addr add 10.71.0.3/24 dev eth0 brd +
link set dev eth0 up
link set dev eth1 address 02:42:0a:48:00:02
addr add 10.72.0.2/24 dev eth1 brd +
link set dev eth1 up
route add default via 10.72.0.1 dev eth1
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

trap - EXIT HUP INT TERM
rm -rf "$J"
