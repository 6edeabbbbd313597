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

# Removes what setup.sh creates and nothing else; each step tolerates what is already gone.
# Namespaces first: deleting one deletes the veth pairs in it, all together and at once. The kernel
# finishes that in the background, so the host ends are waited for (up to 10 s), then whatever is
# left and the bridges are deleted.
undo() {
  set +e
  ip -force -batch - 2>/dev/null <<EOF
netns del ${P}db
netns del ${P}web
netns del ${P}vault
netns del ${P}api
EOF
  n=0
  while [ "$n" -lt 200 ]; do
    links=$(host_links 2>/dev/null)
    left=
    for l in vethc0af91e vethf1172e2 vethbd6390d veth7ef5982 veth98f3211; do
      case "$links" in *" $l "*) left=1; break ;; esac
    done
    [ -n "$left" ] || break
    sleep 0.05 2>/dev/null || sleep 1
    n=$((n + 1))
  done
  host_ip -force -batch - 2>/dev/null <<EOF
link del vethc0af91e
link del vethf1172e2
link del vethbd6390d
link del veth7ef5982
link del veth98f3211
link del docker0
link del back0
link del front0
EOF
  set -e
}

undo
