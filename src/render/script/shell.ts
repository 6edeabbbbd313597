// The shell functions setup.sh and teardown.sh are built on (templates.ts places them). POSIX sh.
//
// PRELUDE (both scripts): the environment checks, ip in the host namespace, and the lock: one netform
// script at a time on a machine, so that two setups started together never undo each other's objects
// (the second waits, then finds the first one's links and refuses).
//
// JOURNAL (setup.sh): what this run creates is journaled as it is created, and a failure rolls back
// exactly the journal. A link or namespace that this run did not create is never removed, whatever its
// name: one that existed before is refused by the guard (a listing that fails is a failure), one that
// appears meanwhile makes its `link add` fail, and that line is not journaled.

export const PRELUDE = `set -eu
H="\${NETFORM_HOST_NETNS:-}"
P="\${NETFORM_NETNS_PREFIX:-}"
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
host_links() { _l=$(host_ip -o link show) || return 1; echo " $(printf '%s\\n' "$_l" | awk -F': ' '{sub(/@.*/, "", $2); printf "%s ", $2}')"; }
# One netform setup.sh or teardown.sh at a time on this machine: each holds an exclusive lock, flock(1)
# of util-linux on /run/lock/netform.lock, until it ends (a later one waits for it).
command -v flock >/dev/null 2>&1 || { echo "netform: flock (util-linux) is needed to run this script" >&2; exit 2; }
mkdir -p /run/lock
exec 9>>/run/lock/netform.lock
if ! flock -n 9; then
  echo "netform: waiting for another netform setup.sh or teardown.sh to finish (/run/lock/netform.lock)" >&2
  flock 9
fi
`;

export const JOURNAL = `# The journal of this run, in $J (removed when the script ends). \`made NAME CMD...\` saves its standard
# input as $J/NAME and runs \`CMD -batch $J/NAME\` (made_from NAME FILE CMD... runs it on FILE). ip stops a
# batch at its first failing line and names it ("Command failed FILE:N", iproute2 ip/ip.c batch()): the
# lines before it are done, the failing one changed nothing. What those lines created is journaled: the
# namespaces, the links made in the host namespace (not those made in, or moved to, one of this run's
# namespaces: they go with it), the xfrm entries (as the lines that delete them).
J=$(mktemp -d "\${TMPDIR:-/tmp}/netform-setup.XXXXXX")
made() { _m=$1; shift; cat > "$J/$_m"; made_from "$_m" "$J/$_m" "$@"; }
made_from() {
  _m=$1 _f=$2
  shift 2
  _rc=0
  "$@" -batch "$_f" 2> "$J/$_m.err" || _rc=$?
  cat "$J/$_m.err" >&2
  _n=0
  if [ "$_rc" -ne 0 ]; then
    _n=$(sed -n 's/^Command failed .*:\\([0-9][0-9]*\\)$/\\1/p' "$J/$_m.err" | head -n 1)
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
`;

export const UNDO = `# Removes what setup.sh creates and nothing else; each step tolerates what is already gone.
# Namespaces first: deleting one deletes the veth pairs in it, all together and at once. The kernel
# finishes that in the background, so the host ends are waited for (up to 10 s), then whatever is
# left and the bridges are deleted.
undo() {
  set +e
{{#if namespaces.length}}
  ip -force -batch - 2>/dev/null <<EOF
{{#each namespaces}}
netns del \${P}{{this}}
{{/each}}
EOF
{{/if}}
{{#if endpoints.length}}
  n=0
  while [ "$n" -lt 200 ]; do
    links=$(host_links 2>/dev/null)
    left=
    for l in{{#each endpoints}} {{hostIfname}}{{/each}}; do
      case "$links" in *" $l "*) left=1; break ;; esac
    done
    [ -n "$left" ] || break
    sleep 0.05 2>/dev/null || sleep 1
    n=$((n + 1))
  done
{{/if}}
{{#if hostCleanup}}
{{#if xfrm}}
  host_ip -force -batch - 2>/dev/null <<EOF
{{xfrm.teardown}}EOF
{{/if}}
  host_ip -force -batch - 2>/dev/null <<EOF
{{#each endpoints}}
link del {{hostIfname}}
{{/each}}
{{#each bridges}}
link del {{name}}
{{/each}}
{{#each overlays}}
link del {{vxlan}}
{{/each}}
{{#each parentLinks}}
link del {{name}}
{{/each}}
EOF
{{/if}}
  set -e
}
`;
