# Sourced by each benchmark section (bench/minify, deltas, pack, deploy). Not run by itself.
# A section writes its figures as "key<TAB>value" lines to $BENCH_OUT/SECTION.tsv (emit), its
# progress to stderr, and removes what it made (nodes by name, images by tag) on exit.
# bench/all sets: BENCH_OUT, BENCH_ID, VZBUILD, VZ_VZPATCH, RUSAGE_RUN; run alone, a section
# builds what is missing itself (slower).

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
vznode=$repo/harness/node/vznode
section=$(basename "$0")
export BENCH_OUT=${BENCH_OUT:-$PWD/bench-out}
export BENCH_ID=${BENCH_ID:-$(head -c 200 /dev/urandom | tr -dc 'a-z0-9' | cut -c1-5)}
mkdir -p "$BENCH_OUT"
results=$BENCH_OUT/$section.tsv
: >"$results"
export VZ_TEST_HOME=${VZ_TEST_HOME:-/tmp/vz-test-home}
export VZ_KNOWN_HOSTS=$VZ_TEST_HOME/known_hosts VZ_SSH_IDENTITY=$VZ_TEST_HOME/id_ed25519
export VZ_SSH_CONFIG=/dev/null
bench_cache=${VZ_BENCH_CACHE:-/var/cache/vz-bench}
# How many times the repeatable measurements run (their median is reported): RUNS=$bench_runs measure ...
bench_runs=${BENCH_RUNS:-3}
unset RUNS

# emit KEY VALUE: one figure of this section.
emit() { printf '%s\t%s\n' "$1" "$2" >>"$results"; }
say() { echo "[$section] $*" >&2; }

# A scratch directory of this section, removed on exit with the section's own cleanup (on_exit).
work=$(mktemp -d "/tmp/vz-bench-$section-XXXXXX")
cleanups=()
on_exit() { cleanups+=("$*"); }
run_cleanups() {
  local c
  for c in "${cleanups[@]}"; do eval "$c" >/dev/null 2>&1 || true; done
  if [[ -n ${BENCH_KEEP:-} ]]; then say "kept $work"; else rm -rf "$work"; fi
}
trap run_cleanups EXIT
trap 'exit 143' TERM INT

# Podman with the tests' configuration (runc, cgroupfs, rlimits at the host's; ENVIRONMENT.md).
export CONTAINERS_CONF=$work/containers.conf
printf '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\n' >"$CONTAINERS_CONF"

if [[ -z ${VZBUILD:-} ]]; then
  say "publishing vzbuild (and vzpatch beside it)..."
  dotnet publish "$repo/src/Cli" -c Release -o "$work/vz" -v q -nologo >/dev/null
  VZBUILD=$work/vz/vzbuild
fi
if [[ -z ${VZ_VZPATCH:-} && -x $(dirname "$VZBUILD")/vzpatch ]]; then VZ_VZPATCH=$(dirname "$VZBUILD")/vzpatch; fi
export VZBUILD VZ_VZPATCH
vzbuild_argv=("$VZBUILD"); [[ $VZBUILD == *.dll ]] && vzbuild_argv=(dotnet "$VZBUILD")
vzbuild() { "${vzbuild_argv[@]}" "$@"; }

if [[ -z ${RUSAGE_RUN:-} ]]; then
  gcc -O2 -o "$work/rusage-run" "$repo/bench/rusage-run.c"
  RUSAGE_RUN=$work/rusage-run
fi

# measure NAME CMD...: runs CMD (vzbuild: the CLI under test; stdout to $work/NAME.out, stderr to
# $work/NAME.err) under rusage-run and emits NAME.wall_s, NAME.cpu_s (user+sys of CMD and every
# child it waited for) and NAME.rss_kib (wait4's ru_maxrss: the largest peak of CMD and its
# waited-for children). With RUNS=N, CMD runs N times: the median wall and CPU time, the largest
# RSS, and NAME.runs. Fails the section when CMD fails.
measure() {
  local name=$1 runs=${RUNS:-1} i report exit wall user sys rss walls=() cpus=() rsss=()
  shift
  if [[ $1 == vzbuild ]]; then shift; set -- "${vzbuild_argv[@]}" "$@"; fi
  for ((i = 0; i < runs; i++)); do
    report=$("$RUSAGE_RUN" "$work/$name.out" "$@" 2>"$work/$name.err") || true
    read -r exit rss wall user sys <<<"$report"
    if [[ ${exit:-x} != 0 ]]; then
      say "$name failed (exit ${exit:-?}): $*"; tail -5 "$work/$name.err" >&2; return 1
    fi
    walls+=("$wall"); cpus+=("$(echo "$user + $sys" | bc)"); rsss+=("$rss")
  done
  median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
  emit "$name.wall_s" "$(median "${walls[@]}")"; emit "$name.cpu_s" "$(median "${cpus[@]}")"
  emit "$name.rss_kib" "$(printf '%s\n' "${rsss[@]}" | sort -n | tail -1)"
  ((runs == 1)) || emit "$name.runs" "$runs"
}

# Test nodes: named "b$BENCH_ID-$section-X" so bench/all can remove a killed section's leftovers.
node_name() { echo "b$BENCH_ID-${section:0:6}-$1"; }
start_nodes() {  # start_nodes [vznode start options] -- NAME...
  local opts=() n
  while [[ $1 != -- ]]; do opts+=("$1"); shift; done; shift
  for n in "$@"; do on_exit bash "$vznode" destroy "$n"; done
  for n in "$@"; do bash "$vznode" start "$n" "${opts[@]}" >"$work/start-$n.log" 2>&1 & done
  wait_all "starting nodes $*"
}
# wait_all WHAT: waits for every background job, failing if one did.
wait_all() {
  local pid failed=0
  for pid in $(jobs -p); do wait "$pid" || failed=1; done
  if ((failed)); then say "$1 failed"; tail -3 "$work"/start-*.log >&2 2>/dev/null; return 1; fi
}
node_ip() { bash "$vznode" ip "$1"; }
ssh_node() {
  local n=$1; shift
  ssh -F /dev/null -i "$VZ_SSH_IDENTITY" -o IdentitiesOnly=yes -o BatchMode=yes \
    -o UserKnownHostsFile="$VZ_KNOWN_HOSTS" -o StrictHostKeyChecking=yes "root@$(node_ip "$n")" "$@"
}
rx_bytes() { bash "$vznode" rx-bytes "$1"; }

# podman's own size of an image (uncompressed layers), as `podman images` shows it.
image_size() { podman image inspect --format '{{.Size}}' "$1"; }
