#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Model-checks the run-down protocol models with SPIN.
#
#   bash Verification/check.sh [MODEL_DIR]       (or MODEL_DIR=... bash Verification/check.sh)
#
# MODEL_DIR defaults to this script's directory; it must hold rundown.pml, rundown_cache_aware.pml, rundown_rseq.pml,
# store.pml and waiting.pml. SPIN_DEFS (e.g. SPIN_DEFS=-DBUG_LOSER_RETURNS_BEFORE_FOLD, or the alternative atomic-slot
# protocol -DALT_ACQUIRE_RECHECKS_SHARED; README.md lists every define) is passed to spin for every run; a model
# ignores the defines that are not its own. With SPIN_DEFS set, the larger cache-aware and rseq runs and the mutation
# runs are skipped. PAN_MEMLIM caps each pan run, in MB (default 4096). THOROUGH=1 adds the cache-aware and rseq models
# without atomicity reductions, the rseq model with 3 holders and 2 generations, and the alternative atomic-slot
# protocol (-DALT_ACQUIRE_RECHECKS_SHARED) on the cache-aware main configuration.
#
# Every run is an exhaustive search (no bitstate, no hash compaction). Prints one line per property and run:
# property, model and configuration, states stored, seconds, result. Exits 1 if any property fails, or any search
# reports an error, an assertion violation, an invalid end state, an acceptance cycle, or is incomplete (depth limit
# or memory limit); exits 2 if spin, gcc or the models are missing.
#
# Then "mutations must be caught": the planted bugs of the atomic-slot and rseq models (the BUG_ defines), each of
# which must FAIL; one line each with the property violated and the depth of the counterexample. A mutation that
# passes is a failure of this script (the model would no longer tell the protocol from the bug).
#
# MODEL_DIR must also hold rundown_protected_percpu.pml (RundownProtected with a per-CPU reader counter per value
# slot). Its runs print its own assertion groups (PROP 6 to 9, and 5 for invalid end states); its larger runs are
# skipped with SPIN_DEFS, THOROUGH=1 adds three, and its planted bugs run with the others.

set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
model_dir=${1:-${MODEL_DIR:-$here}}
spin_defs=${SPIN_DEFS:-}
memlim=${PAN_MEMLIM:-4096}

for tool in spin gcc; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "check.sh: $tool not found (apt-get install -y spin gcc)" >&2
        exit 2
    fi
done
for f in rundown.pml rundown_cache_aware.pml rundown_rseq.pml store.pml waiting.pml; do
    if [ ! -f "$model_dir/$f" ]; then
        echo "check.sh: $model_dir/$f not found" >&2
        exit 2
    fi
done
if [ ! -f "$model_dir/rundown_protected_percpu.pml" ]; then
    echo "check.sh: $model_dir/rundown_protected_percpu.pml not found" >&2
    exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/rundown-spin.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp "$model_dir"/*.pml "$work"/

# assertion groups (PROP numbers in store.pml)
prop_name() {
    case "$1" in
        1) echo no_acquire_after_rundown ;;
        2) echo wait_true_only_when_drained ;;
        3) echo callback_once_after_drain ;;
        4) echo reinit_keeps_count ;;
        5) echo quiescence ;;
        6) echo no_reader_refused_before_retire ;;       # rundown_protected_percpu.pml
        7) echo teardown_after_last_reader ;;
        8) echo reads_are_current ;;
        9) echo counts_balance ;;
        *) echo "model_assertion" ;;
    esac
}
SAFETY_PROPS="1 2 3 4 5"

failures=0
total_start=$(date +%s)

printf '%-28s %-24s %-44s %12s %8s  %s\n' property model configuration states seconds result
printf '%s\n' "$(printf '%.0s-' {1..140})"

# search NAME MODEL DEFINES MODE   MODE: safety | ltl:<claim>. Runs spin, gcc and pan in a copy of the models; sets
# ok (1 = no error, complete), result, states, secs, depth (of a counterexample), violated (the PROP group of a
# violated assertion, 5 for an invalid end state), out, cflags, pflags.
search() {
    local label=$1 model=$2 defs=$3 mode=$4
    local dir="$work/$label"
    mkdir -p "$dir"
    cp "$work"/*.pml "$dir"/
    if [ "$mode" = safety ]; then
        cflags="-DSAFETY -DNOCLAIM"
        pflags="-m3000000 -w25"
    else
        cflags="-DNFAIR=4"
        pflags="-a -f -N ${mode#ltl:} -m3000000 -w25"
    fi
    out="$dir/pan.out"; ok=1; result=""; states="-"; secs="-"; depth=""; violated=""
    if ! (cd "$dir" && spin $defs $spin_defs -a "$model.pml" >"$dir/spin.out" 2>&1); then
        result="spin failed: $(tail -n 3 "$dir/spin.out" | tr '\n' ' ')"; ok=0
    elif ! (cd "$dir" && gcc -O2 -w $cflags -DMEMLIM="$memlim" -o pan pan.c >"$dir/gcc.out" 2>&1); then
        result="gcc failed: $(tail -n 3 "$dir/gcc.out" | tr '\n' ' ')"; ok=0
    else
        (cd "$dir" && ./pan $pflags >"$out" 2>&1)
    fi
    if [ -f "$out" ]; then
        states=$(sed -n 's/^ *\([0-9.e+]*\) states, stored.*/\1/p' "$out" | tail -n 1)
        secs=$(sed -n 's/^pan: elapsed time \([0-9.e+]*\) seconds.*/\1/p' "$out" | tail -n 1)
        local errors
        errors=$(sed -n 's/.*errors: \([0-9][0-9]*\).*/\1/p' "$out" | tail -n 1)
        if [ -z "$errors" ]; then
            result="no verdict (pan did not finish)"; ok=0
        elif [ "$errors" != 0 ]; then
            ok=0
            local what
            what=$(grep -m1 -E '^pan:[0-9]+: |^pan: error' "$out")
            result="FAIL (errors: $errors) ${what#pan:1: }"
            depth=$(grep -m1 -E '^pan:[0-9]+: ' "$out" | sed -n 's/.*(at depth \([0-9]*\)).*/\1/p')
        fi
        if grep -q -E 'max search depth too small|reached -DMEMLIM bound|out of memory|Search not completed' "$out" \
            && [ "${errors:-0}" = 0 ]; then
            result="INCOMPLETE search: $(grep -m1 -E 'max search depth too small|reached -DMEMLIM bound|out of memory|Search not completed' "$out")"
            ok=0
        fi
        : "${states:=-}" "${secs:=-}"
        if [ $ok = 0 ]; then
            if grep -q 'assertion violated' "$out"; then
                # CHECK(p, e) expands to !((PROP==0)||(PROP==p))||e; the second (0==p) names the group
                violated=$(grep -m1 'assertion violated' "$out" | grep -o '(0==[0-9])' | sed -n '2s/(0==\([0-9]\))/\1/p')
                [ -z "$violated" ] && violated=0
            elif grep -q -E '^pan:[0-9]+: invalid end state' "$out"; then
                violated=5
            fi
        fi
    fi
}

# run NAME MODEL DEFINES MODE     MODE: safety | ltl:<claim>; every property must hold
run() {
    local label=$1 model=$2 defs=$3 mode=$4
    search "$label" "$model" "$defs" "$mode"
    local rows
    if [ "$mode" = safety ]; then rows=$SAFETY_PROPS; else rows=${mode#ltl:}; fi
    local p name res
    for p in $rows; do
        if [ "$mode" = safety ]; then name=$(prop_name "$p"); else name=$p; fi
        if [ $ok = 1 ]; then
            res="ok"
        elif [ "$mode" != safety ] || [ "$p" = "$violated" ] || [ -z "$violated" ]; then
            res=$result
        else
            res="not concluded (search stopped at the violation above/below)"
        fi
        printf '%-28s %-24s %-44s %12s %8s  %s\n' "$name" "$model" "$defs" "$states" "$secs" "$res"
    done
    if [ "$mode" = safety ] && [ "$violated" = 0 ]; then
        printf '%-28s %-24s %-44s %12s %8s  %s\n' "model_assertion" "$model" "$defs" "$states" "$secs" "$result"
    fi
    if [ $ok = 0 ]; then
        failures=$((failures + 1))
        echo "    (run kept no trail; reproduce: cd <copy of $model_dir> && spin $defs $spin_defs -a $model.pml && gcc $cflags -o pan pan.c && ./pan ${pflags} && spin -t -p $defs $spin_defs $model.pml)"
    fi
}

# runp NAME MODEL DEFINES MODE    run() with the assertion groups of rundown_protected_percpu.pml
PROTECTED_PROPS="6 7 8 9 5"
runp() {
    local saved=$SAFETY_PROPS
    SAFETY_PROPS=$PROTECTED_PROPS
    run "$@"
    SAFETY_PROPS=$saved
}

# must_fail NAME MODEL DEFINES      a safety run that must find a violation: prints the property and the depth
must_fail() {
    local label=$1 model=$2 defs=$3
    search "$label" "$model" "$defs" safety
    local name res
    if [ $ok = 0 ] && [ -n "$violated" ]; then
        name=$(prop_name "$violated")
        [ "$violated" = 5 ] && name="quiescence (invalid end state)"
        res="caught: $name violated at depth ${depth:-?}"
    elif [ $ok = 0 ]; then
        res="NOT CAUGHT: $result"; failures=$((failures + 1))
    else
        res="NOT CAUGHT: every property holds"; failures=$((failures + 1))
    fi
    printf '%-28s %-24s %-44s %12s %8s  %s\n' "$label" "$model" "$defs" "$states" "$secs" "$res"
}

# label                 model                 spin defines                                          mode
run plain_main          rundown               "-DNHOLDERS=3 -DMAXGEN=2 -DOWNER_TIMEOUTS=0"          safety
run plain_timed         rundown               "-DNHOLDERS=2 -DMAXGEN=2 -DOWNER_TIMEOUTS=1"          safety
run plain_faithful      rundown               "-DFAITHFUL -DNHOLDERS=1 -DMAXGEN=2 -DOWNER_TIMEOUTS=0" safety
run plain_live_w        rundown               "-DNHOLDERS=2 -DMAXGEN=2 -DOWNER_TIMEOUTS=0"          ltl:waiters_return
run plain_live_c        rundown               "-DNHOLDERS=2 -DMAXGEN=2 -DOWNER_TIMEOUTS=0"          ltl:callbacks_run
run cache_main          rundown_cache_aware   "-DNHOLDERS=2 -DMAXGEN=2 -DOWNER_TIMEOUTS=0"          safety
run cache_3holders      rundown_cache_aware   "-DNHOLDERS=3 -DMAXGEN=1 -DOWNER_TIMEOUTS=0"          safety
run cache_live_w1       rundown_cache_aware   "-DNHOLDERS=2 -DMAXGEN=1 -DOWNER_TIMEOUTS=0"          ltl:waiters_return
run cache_live_c1       rundown_cache_aware   "-DNHOLDERS=2 -DMAXGEN=1 -DOWNER_TIMEOUTS=0"          ltl:callbacks_run
run cache_live_w2       rundown_cache_aware   "-DNHOLDERS=1 -DMAXGEN=2 -DOWNER_TIMEOUTS=0"          ltl:waiters_return
run cache_live_c2       rundown_cache_aware   "-DNHOLDERS=1 -DMAXGEN=2 -DOWNER_TIMEOUTS=0"          ltl:callbacks_run
if [ -z "$spin_defs" ]; then    # the default protocol only: with -DALT_ACQUIRE_RECHECKS_SHARED these spaces are far larger
run cache_3holders_2gen rundown_cache_aware   "-DNHOLDERS=3 -DMAXGEN=2 -DOWNER_TIMEOUTS=0"          safety
run cache_live_w22      rundown_cache_aware   "-DNHOLDERS=2 -DMAXGEN=2 -DOWNER_TIMEOUTS=0"          ltl:waiters_return
run cache_live_c22      rundown_cache_aware   "-DNHOLDERS=2 -DMAXGEN=2 -DOWNER_TIMEOUTS=0"          ltl:callbacks_run
fi
run rseq_main           rundown_rseq          "-DNHOLDERS=2 -DMAXGEN=2 -DOWNER_TIMEOUTS=0"          safety
run rseq_timed          rundown_rseq          "-DNHOLDERS=2 -DMAXGEN=2 -DOWNER_TIMEOUTS=1"          safety
run rseq_3holders       rundown_rseq          "-DNHOLDERS=3 -DMAXGEN=1 -DOWNER_TIMEOUTS=0"          safety
run rseq_live_w         rundown_rseq          "-DNHOLDERS=2 -DMAXGEN=2 -DOWNER_TIMEOUTS=0"          ltl:waiters_return
run rseq_live_c         rundown_rseq          "-DNHOLDERS=2 -DMAXGEN=2 -DOWNER_TIMEOUTS=0"          ltl:callbacks_run
runp protected_main     rundown_protected_percpu "-DNREADERS=2 -DNREPL=2"                       safety
runp protected_3repl    rundown_protected_percpu "-DNREADERS=2 -DNREPL=3"                       safety
runp protected_no_retire rundown_protected_percpu "-DRETIRE=0 -DNREADERS=2 -DNREPL=2"           safety
runp protected_3readers_1repl rundown_protected_percpu "-DNREADERS=3 -DNREPL=1"                 safety
run protected_live      rundown_protected_percpu "-DNREADERS=2 -DNREPL=2"                       ltl:everyone_finishes
if [ -z "$spin_defs" ]; then
run rseq_raw            rundown_rseq          "-DNO_NORMALIZE -DNHOLDERS=1 -DMAXGEN=2 -DOWNER_TIMEOUTS=0" safety
run rseq_faithful       rundown_rseq          "-DFAITHFUL -DNHOLDERS=2 -DMAXGEN=1 -DOWNER_TIMEOUTS=0" safety
runp protected_3readers rundown_protected_percpu "-DNREADERS=3 -DNREPL=2"                       safety
runp protected_raw      rundown_protected_percpu "-DNO_NORMALIZE -DNREADERS=1 -DNREPL=2"        safety
runp protected_faithful rundown_protected_percpu "-DFAITHFUL -DNREADERS=2 -DNREPL=2"            safety
fi
if [ "${THOROUGH:-0}" = 1 ]; then
run cache_faithful      rundown_cache_aware   "-DFAITHFUL -DNHOLDERS=1 -DMAXGEN=2 -DOWNER_TIMEOUTS=0" safety
run rseq_faithful_2gen  rundown_rseq          "-DFAITHFUL -DNHOLDERS=1 -DMAXGEN=2 -DOWNER_TIMEOUTS=0" safety
run rseq_3holders_2gen  rundown_rseq          "-DNHOLDERS=3 -DMAXGEN=2 -DOWNER_TIMEOUTS=0"          safety
if [ -z "$spin_defs" ]; then
run cache_alt_recheck   rundown_cache_aware   "-DALT_ACQUIRE_RECHECKS_SHARED -DNHOLDERS=2 -DMAXGEN=2 -DOWNER_TIMEOUTS=0" safety
fi
runp protected_faithful_3readers rundown_protected_percpu "-DFAITHFUL -DNREADERS=3 -DNREPL=1"   safety
runp protected_faithful_3repl rundown_protected_percpu "-DFAITHFUL -DNREADERS=2 -DNREPL=3"      safety
runp protected_raw_3repl rundown_protected_percpu "-DNO_NORMALIZE -DNREADERS=1 -DNREPL=3"       safety
fi

if [ -z "$spin_defs" ]; then
echo
echo "mutations must be caught (each must FAIL):"
# label                    model                spin defines
must_fail loser_before_fold       rundown_cache_aware "-DBUG_LOSER_RETURNS_BEFORE_FOLD -DNHOLDERS=1 -DMAXGEN=1 -DOWNER_TIMEOUTS=0"
must_fail reinit_slots_first      rundown_cache_aware "-DBUG_REINIT_SLOTS_BEFORE_SHARED -DNHOLDERS=1 -DMAXGEN=2 -DOWNER_TIMEOUTS=0"
must_fail fold_without_membarrier rundown_rseq        "-DBUG_FOLD_WITHOUT_MEMBARRIER -DNHOLDERS=1 -DMAXGEN=1 -DOWNER_TIMEOUTS=0"
must_fail flag_outside_section    rundown_rseq        "-DBUG_FLAG_READ_OUTSIDE_SECTION -DNHOLDERS=1 -DMAXGEN=1 -DOWNER_TIMEOUTS=0"
must_fail flag_separate_word      rundown_rseq        "-DBUG_FLAG_SEPARATE_FROM_OVERFLOW_WORD -DNHOLDERS=1 -DMAXGEN=1 -DOWNER_TIMEOUTS=0"
must_fail flag_checked_before_cas rundown_rseq        "-DBUG_SEPARATE_FLAG_CHECKED_BEFORE_OVERFLOW_CAS -DNHOLDERS=1 -DMAXGEN=2 -DOWNER_TIMEOUTS=0"
must_fail no_recheck_after_acquire rundown_protected_percpu "-DBUG_NO_RECHECK_AFTER_ACQUIRE -DNREADERS=1 -DNREPL=2"
must_fail close_old_before_publish rundown_protected_percpu "-DBUG_CLOSE_OLD_BEFORE_PUBLISH -DNREADERS=1 -DNREPL=1"
must_fail close_without_membarrier rundown_protected_percpu "-DBUG_CLOSE_WITHOUT_MEMBARRIER -DNREADERS=1 -DNREPL=1"
fi

total_end=$(date +%s)
echo
if [ $failures = 0 ]; then
    echo "check.sh: all properties hold ($((total_end - total_start)) s)"
    exit 0
fi
echo "check.sh: $failures run(s) failed ($((total_end - total_start)) s)"
exit 1
