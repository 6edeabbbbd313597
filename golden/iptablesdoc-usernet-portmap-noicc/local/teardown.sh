#!/bin/sh
# netform: removes what setup.sh created for host local (links and namespaces) and nothing
# else. Loading and removing firewall rules is left to whoever applies them.
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
  host_ip link del vethc59cb8a 2>/dev/null
  ip netns del "$P"c1 2>/dev/null
  host_ip link del docker0 2>/dev/null
  host_ip link del bridge1 2>/dev/null
  set -e
}

undo
