#!/usr/bin/env bash
# Fuzzes Lathe's untrusted-input readers with libFuzzer (Swift's -sanitize=fuzzer) plus AddressSanitizer.
#
#   scripts/fuzz.sh                         # every target, 1,000,000 executions each
#   scripts/fuzz.sh FuzzSafeTensors --runs 20000
#   scripts/fuzz.sh --list
#   scripts/fuzz.sh FuzzRecipe --no-build    # reuse the last build (e.g. several targets in parallel)
#
# Targets live in Fuzz/ (a separate package, so the main build never needs the sanitizers); seeds in
# Fuzz/corpus/<target>/ are copied to a scratch corpus so the repository is never written. The build is
# release with ASan (heap errors; the readers keep Swift's bounds and overflow traps as shipped, and ASan
# covers Modeling's -Ounchecked code) and libFuzzer's -rss_limit_mb / -malloc_limit_mb (unbounded
# allocations) and -timeout (hangs). Leak detection is off (libFuzzer's and ASan's at exit): LeakSanitizer
# counts Swift's once-initialised globals as leaks (not Lathe code; RELIABILITY.md §4).
# A crashing input is saved as Fuzz/findings/<target>/crash-…; make it a regression test and fix the reader.
# Prints one line per target: executions, seconds, exec/s, result.
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(FuzzRecipe FuzzSafeTensors FuzzTokenizerJSON FuzzJSONL FuzzInstructionJSON FuzzTokenShard FuzzGGUF FuzzHFConfig FuzzWordPieceJSON FuzzRemoteEntry)
runs=1000000
max_len=4096
selected=()
build=1
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs="$2"; shift 2 ;;
        --max-len) max_len="$2"; shift 2 ;;
        --no-build) build=0; shift ;;
        --list) printf '%s\n' "${targets[@]}"; exit 0 ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        Fuzz*) selected+=("$1"); shift ;;
        *) echo "fuzz.sh: unknown argument '$1' (targets: ${targets[*]})" >&2; exit 64 ;;
    esac
done
[ ${#selected[@]} -eq 0 ] && selected=("${targets[@]}")

# Shares the machine-wide build lock when there is one, so fuzz builds never starve other builds.
lock() { if [ -e /tmp/lathe-build.lock ]; then flock -o /tmp/lathe-build.lock "$@"; else "$@"; fi; }
# SwiftPM keeps the Fuzz package's build plan (.build/release.yaml) when only the parent package's file
# list changed, and then compiles a module without its new files ("cannot find X in scope"): drop the plan.
[ $build -eq 1 ] && rm -f Fuzz/.build/release.yaml
[ $build -eq 1 ] && lock swift build -c release --package-path Fuzz -Xswiftc -sanitize=fuzzer,address 2>&1 | grep -E "error|warning: unre|Compiling|Build" | tail -5
bin="$(swift build -c release --package-path Fuzz --show-bin-path)"

scratch="${TMPDIR:-/tmp}/lathe-fuzz-corpus"
status=0
for target in "${selected[@]}"; do
    mkdir -p "$scratch/$target" "Fuzz/findings/$target"
    cp Fuzz/corpus/"$target"/* "$scratch/$target/"
    log="$scratch/$target.log"
    set +e
    # detect_leaks=0 for ASan too: at exit LeakSanitizer flags Swift's lazily initialised globals (e.g. the
    # recipe key tables, ~1 KiB allocated once) as leaks, which would fail a clean run.
    ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" nice -n 19 "$bin/$target" "$scratch/$target" -runs="$runs" -max_len="$max_len" -rss_limit_mb=2048 \
        -malloc_limit_mb=2048 -timeout=10 -detect_leaks=0 -seed=1 -print_final_stats=1 \
        -artifact_prefix="Fuzz/findings/$target/" >"$log" 2>&1
    rc=$?
    set -e
    done_line="$(grep -E '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 || true)"
    if [ $rc -eq 0 ] && [ -n "$done_line" ]; then
        n="$(echo "$done_line" | awk '{print $2}')"; s="$(echo "$done_line" | awk '{print $5}')"
        rss="$(grep -oE 'rss: [0-9]+Mb' "$log" | tail -1)"
        cov="$(grep -oE 'cov: [0-9]+' "$log" | tail -1)"
        printf '%-20s %9s runs %6ss %8s exec/s  %s  %s  ok\n' "$target" "$n" "$s" "$(( n / (s > 0 ? s : 1) ))" "$cov" "$rss"
    else
        status=1
        printf '%-20s FAILED (exit %s); log %s; inputs in Fuzz/findings/%s/\n' "$target" "$rc" "$log" "$target"
        grep -E 'ERROR|Fatal|error:|SUMMARY' "$log" | head -5
    fi
done
exit $status
