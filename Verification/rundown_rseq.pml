// SPDX-License-Identifier: Apache-2.0
/*
 * rundown_rseq.pml -- SPIN model of the restartable-sequence (rseq) protocol of CacheAwareRundownRef on Linux, with
 * NSLOTS = 2 slots and NSLOTS + 1 CPU ids (id NSLOTS has no slot: it counts in the overflow word).
 *
 * Swift: Sources/Rundown/CacheAware/PerCPUStorage.swift (acquire, release, acquireOverflow,
 *        releasedAfterCloseOrWithoutSlot), PerCPUStorage+Fold.swift (close, foldNetSlots, reInitialize); C:
 *        Sources/CRundownSupport/include/CRundownRseq.h (c_rundown_rseq_add: the critical section;
 *        c_rundown_rseq_fence: the membarrier). The shared completion word, its waiters and callbacks are the engine's,
 *        exactly as in rundown_cache_aware.pml (store.pml, waiting.pml). README.md has the table.
 *
 * Memory (sequentially consistent; orderings are not modelled):
 *   FLAG        the closed flag: the closed bit of the overflow word (one word for both paths). TWO_WORDS (set by
 *               -DBUG_FLAG_SEPARATE_FROM_OVERFLOW_WORD and -DBUG_SEPARATE_FLAG_CHECKED_BEFORE_OVERFLOW_CAS): a word of
 *               its own, `closedFlag`
 *   slot[c]     NET count of CPU c < NSLOTS (a release may run on another CPU than its acquire), written only by the
 *               commit of a critical section running on CPU c; modulo NETMOD, as Swift's Int64 is modulo 2^64
 *   baseline    the slots' sum at the last fold (slots are never reset)
 *   ovf         the overflow word {closed, net count}, atomic read-modify-writes only
 *   shared      the engine's word {closed, waiters, count, gen}: count 0 while active, BIAS added by the close
 * The net counts are kept up to a symmetry (NORMALIZE below; -DNO_NORMALIZE keeps raw values).
 *
 * CPUs and threads: a holder's critical section runs on the CPU it reads at its start. The holder may have migrated
 * before any section start (the start picks any CPU id, so acquire and release land on different CPUs, or on the
 * overflow word), and (RSEQ_STRESS_MIGRATE, default 1) in the middle of a section, which aborts it. A section start
 * on CPU c preempts, and so aborts, any other holder's uncommitted section on c; the membarrier aborts every
 * uncommitted section. An aborted section restarts from its beginning. sec[t], scpu[t], sval[t]: holder t's section
 * state, the CPU it runs on, the slot value it read.
 *
 * The section c_rundown_rseq_add(delta), one step per instruction group:
 *   1+2  read the CPU id: none for it -> NO_SLOT (nothing written); read the flag: set -> CLOSED (nothing written)
 *        (FAITHFUL: two steps). Both reads are inside the section: an abort restarts here.
 *   3    read slot[cpu]
 *   4    commit: slot[cpu] = value + delta (one store; from here on it cannot be aborted) -> DONE
 * Holder: acquire = section(+u): DONE -> inside; CLOSED -> refused; NO_SLOT -> acquireOverflow (CAS loop refusing when
 * ovf is closed). Release = section(-u): DONE -> out; CLOSED -> sharedRelease(u); NO_SLOT -> ovf fetch_sub, and if
 * the old value was closed, sharedRelease(u) too.
 *
 * Actors: Holder(0) (1 unit), Holder(1) (2 units, NHOLDERS >= 2), Holder(2) (1 unit, NHOLDERS >= 3); Owner,
 * AsyncWaiter, Registrant as in rundown.pml; Monitor (invariants in every state) and Quiescence (final checks).
 *
 * Ghost state: as in rundown.pml (held, begun, cbReg, cbRan, pend, pendGen, completions); here also phase, busy and
 * opening (what the close / re-initialization is doing) and foldTotal, foldAcc, foldRead (the fold's registers, global
 * so that Monitor and NORMALIZE see them; one fold at a time).
 *
 * The protocol (default; README.md, "rseq: the flag is the overflow word's closed bit"): the flag every section
 * reads is the overflow word's closed bit. Beginning run-down closes it with one fetch_or (which also closes the
 * overflow path and reads its count), issues the membarrier, then sums the slots; re-initialization reopens both
 * paths with one store to the overflow word.
 *
 * Planted bugs (check.sh requires each to violate a property; README.md, "Planted bugs"):
 *   -DBUG_FOLD_WITHOUT_MEMBARRIER     beginning run-down closes the flag and folds without issuing the membarrier: a
 *                                section that read the flag open commits after the fold. Violates
 *                                no_acquire_after_rundown
 *   -DBUG_FLAG_READ_OUTSIDE_SECTION   the flag is read before the section starts; an abort restarts the section without
 *                                reading it again, so the membarrier's abort does not make it see the flag. Violates
 *                                no_acquire_after_rundown
 *   -DBUG_FLAG_SEPARATE_FROM_OVERFLOW_WORD  the flag is a word of its own; the fold sets it, issues the membarrier,
 *                                sums the slots, then fetch_or's the overflow word closed; re-initialization reopens the
 *                                overflow word, then the flag. While the two disagree an acquisition on one path is
 *                                released on the other: (a) during the close a holder acquires on the overflow word and
 *                                releases on the shared word (its section sees the flag), over and over, so the fold
 *                                counts more than there are holders and pending falls without bound; (b) between the
 *                                overflow word's reopening and the flag's, a holder of the new generation acquires on
 *                                the overflow word and its release, on a slot CPU, sees the flag still set and releases
 *                                on the shared word, which is opening (or open, count 0). Violates reinit_keeps_count
 *   -DBUG_SEPARATE_FLAG_CHECKED_BEFORE_OVERFLOW_CAS  the flag is a word of its own (as above) and acquireOverflow
 *                                refuses when it is set, checked before its CAS loop. That bounds (a), but (b) remains:
 *                                a re-initialization between the check and the CAS reopens the overflow word under the
 *                                CAS, with the flag still set. Violates reinit_keeps_count
 *
 * State-space switches:
 *   -DRSEQ_STRESS_MIGRATE=0      no migration inside a section (a holder still picks any CPU at every section start)
 *   -DFAITHFUL                   the section's CPU read and flag read are two steps, the fold reads one slot per step;
 *                                and the store's CAS loops and critical sections are split (store.pml)
 *   -DNO_NORMALIZE               raw net counts (no symmetry reduction)
 */

#if defined(BUG_FLAG_SEPARATE_FROM_OVERFLOW_WORD) && defined(BUG_SEPARATE_FLAG_CHECKED_BEFORE_OVERFLOW_CAS)
#error "BUG_SEPARATE_FLAG_CHECKED_BEFORE_OVERFLOW_CAS already plants the separate flag; give one of the two"
#endif
#if defined(BUG_FLAG_SEPARATE_FROM_OVERFLOW_WORD) || defined(BUG_SEPARATE_FLAG_CHECKED_BEFORE_OVERFLOW_CAS)
#define TWO_WORDS 1                 /* the flag is a word of its own, the overflow word has its own closed bit */
#endif

#ifndef NHOLDERS
#define NHOLDERS 2
#endif
#ifndef RSEQ_STRESS_MIGRATE
#define RSEQ_STRESS_MIGRATE 1
#endif
#define NSLOTS 2                    /* CPU ids 0 .. NSLOTS; id NSLOTS has no slot */

/* holder t acquires UNITS(t) units at a time: 1, 2, 1 */
#define UNITS(t) ((t) == 1 -> 2 : 1)
#if NHOLDERS >= 3
#define NUNITS 4
#elif NHOLDERS == 2
#define NUNITS 3
#else
#define NUNITS 1
#endif

/* Before the fold has taken effect, releases that go to the shared word (their section saw the flag, or the overflow
 * word was closed) decrement pending: at most every unit once per holder (its next acquisition refuses, in the default
 * design), so pending >= BIAS - NUNITS until the fold subtracts; after it, pending <= NUNITS; and the fold counts at
 * most NUNITS (asserted: a larger total means units counted twice). BIAS = 4 x (NUNITS + 1) and
 * FIP = BIAS / 2 keep both ranges apart (Swift: foldBias = 2^31, foldInProgress = 2^30). */
#ifndef BIAS
#define BIAS (4 * (NUNITS + 1))
#endif
#define FIP (BIAS / 2)
#define FOLD_IN_PROGRESS (shared.closed && shared.count >= FIP)

/* net counts modulo NETMOD: a fold's true total lies in 0 .. NUNITS; a value above NUNITS is a negative sum */
#ifndef NETMOD
#define NETMOD (2 * (NUNITS + 1))
#endif
#define WRAP(x) ((((x) % NETMOD) + NETMOD) % NETMOD)

/* ---------------------------------------------------------------- the shared word (the engine's RundownWord) */
typedef Word {
    bit  closed;            /* CLOSED: run-down has begun (or a fold / re-opening is in progress) */
    bit  waiters;           /* WAITERS */
    byte count;             /* pending: 0 while active; BIAS added by the close, taken out by the fold */
    byte gen
};
Word shared;

/* ---------------------------------------------------------------- the per-CPU memory */
#ifdef TWO_WORDS
bit  closedFlag;            /* the closed flag, a word of its own */
#define FLAG closedFlag
#else
#define FLAG ovf.closed     /* the closed flag is the overflow word's closed bit */
#endif
byte slot[NSLOTS];          /* net counts, modulo NETMOD */
byte baseline;              /* the slots' sum at the last fold, modulo NETMOD */
typedef Ovf {
    bit  closed;
    byte count              /* net, modulo NETMOD */
};
Ovf ovf;

/* holder t's critical section */
#define SEC_IDLE   0        /* not in a section; its next step starts one */
#define SEC_FLAGOK 1        /* (BUG_FLAG_READ_OUTSIDE_SECTION) flag read open, before the section; its start is next */
#define SEC_CPU    2        /* (FAITHFUL) in flight on scpu: CPU read, the flag read is next */
#define SEC_FLAG   3        /* in flight on scpu: flag read open, the slot read is next */
#define SEC_READ   4        /* in flight on scpu: slot read into sval, the commit is next */
#define IN_FLIGHT(t) (sec[t] >= SEC_CPU)
#ifdef BUG_FLAG_READ_OUTSIDE_SECTION
#define SEC_RESTART SEC_FLAGOK      /* the restart does not read the flag again */
#else
#define SEC_RESTART SEC_IDLE
#endif
byte sec[NHOLDERS];
byte scpu[NHOLDERS];
byte sval[NHOLDERS];

/* ---------------------------------------------------------------- ghosts */
#define PH_OPEN    0        /* shared open */
#define PH_CLOSING 1        /* closed by the winner's CAS; flag, membarrier, fold read still to come */
#define PH_FOLDED  2        /* the fold has read (and closed) everything; its subtraction is next */
#define PH_DOWN    3        /* the fold took effect: pending = the holders still inside */
#define PH_OPENING 4        /* re-initialization: shared = opening(g + 1) */
byte phase;
byte foldTotal;             /* the fold's local `folded` (global so that the Monitor sees it; one fold at a time) */
byte foldAcc;               /* the fold's running sum of the slots (global so that NORMALIZE can shift it) */
byte foldRead;              /* (FAITHFUL) how many slots foldAcc holds */
bool busy;                  /* a fold or a re-opening is in progress */
bool opening;               /* a re-initialization is in progress */

#define WORD shared
#define COMPLETED(w)        (w.closed && w.count == 0)
#define HAS_COMPLETED(gg, w) (w.gen != (gg) || COMPLETED(w))
#define SAME_AS_WORD(w)     (w.closed == shared.closed && w.waiters == shared.waiters && \
                             w.count == shared.count && w.gen == shared.gen)

inline load(w) {
    w.closed = shared.closed; w.waiters = shared.waiters; w.count = shared.count; w.gen = shared.gen
}
inline forget(w) {
    w.closed = 0; w.waiters = 0; w.count = 0; w.gen = 0
}

#define MODEL_LOCALS byte myGen, fold, c
#include "store.pml"

/* ---------------------------------------------------------------- aborts */

inline abortSection(t) {
    sec[t] = SEC_RESTART; scpu[t] = 0; sval[t] = 0
}

/* holder t starts a section on CPU cc: the thread that had an uncommitted section there was preempted */
#define PREEMPT(t, v, cc) \
    if \
    :: (v) != (t) && IN_FLIGHT(v) && scpu[v] == (cc) -> abortSection(v) \
    :: else -> skip \
    fi
#if NHOLDERS >= 3
#define PREEMPT_OTHERS(t, cc) PREEMPT(t, 0, cc); PREEMPT(t, 1, cc); PREEMPT(t, 2, cc)
#elif NHOLDERS == 2
#define PREEMPT_OTHERS(t, cc) PREEMPT(t, 0, cc); PREEMPT(t, 1, cc)
#else
#define PREEMPT_OTHERS(t, cc) PREEMPT(t, 0, cc)
#endif

/* membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ): every uncommitted section restarts */
#define ABORT_IF_IN_FLIGHT(v) if :: IN_FLIGHT(v) -> abortSection(v) :: else -> skip fi
#if NHOLDERS >= 3
#define MEMBARRIER ABORT_IF_IN_FLIGHT(0); ABORT_IF_IN_FLIGHT(1); ABORT_IF_IN_FLIGHT(2)
#elif NHOLDERS == 2
#define MEMBARRIER ABORT_IF_IN_FLIGHT(0); ABORT_IF_IN_FLIGHT(1)
#else
#define MEMBARRIER ABORT_IF_IN_FLIGHT(0)
#endif

/* ---------------------------------------------------------------- symmetry reduction of the net counts */

/* Every use of the net counts is a difference or a sum: a section commits what it read plus its delta, the fold
 * counts sum - baseline + ovf. So adding d to slot[c], to the baseline, to the value an uncommitted section read from
 * slot[c] and to the fold's running sum if it holds slot[c] changes nothing that can be observed; nor does adding d
 * to the open overflow word and to the baseline; and a closed overflow word's count is never read again (it is
 * reset by re-initialization). These shifts are a bisimulation, so every property is preserved. Without a reduction
 * a holder that acquires on CPU 0 and releases on CPU 1 drifts the slots, the overflow word and the baseline
 * through all their values (one holder, 2 generations: 4,073,569 states raw, 76,439 normalized). NORMALIZE keeps
 * one representative per class: each slot 0 and the open overflow word 0, their values moved into the baseline
 * (which thus holds minus the net count since the fold), a closed overflow word's count 0. -DNO_NORMALIZE keeps the
 * raw values (check.sh runs a small configuration so: slots go negative, the baseline is non-zero after a fold). */
#ifdef NO_NORMALIZE
#define NORMALIZE_SLOT(cc)
#define NORMALIZE_OVF
#define OVF_DEAD(x) (x)
#else
#define SHIFT_SVAL(v, cc) \
    if :: sec[v] == SEC_READ && scpu[v] == (cc) -> sval[v] = WRAP(sval[v] + NETMOD - slot[cc]) :: else -> skip fi
#if NHOLDERS >= 3
#define SHIFT_SVALS(cc) SHIFT_SVAL(0, cc); SHIFT_SVAL(1, cc); SHIFT_SVAL(2, cc)
#elif NHOLDERS == 2
#define SHIFT_SVALS(cc) SHIFT_SVAL(0, cc); SHIFT_SVAL(1, cc)
#else
#define SHIFT_SVALS(cc) SHIFT_SVAL(0, cc)
#endif
#define NORMALIZE_SLOT(cc) \
    if \
    :: slot[cc] != 0 -> \
        baseline = WRAP(baseline + NETMOD - slot[cc]); \
        SHIFT_SVALS(cc); \
        if :: foldRead > (cc) -> foldAcc = WRAP(foldAcc + NETMOD - slot[cc]) :: else -> skip fi; \
        slot[cc] = 0 \
    :: else -> skip \
    fi
#define NORMALIZE_OVF \
    if \
    :: !ovf.closed && ovf.count != 0 -> baseline = WRAP(baseline + NETMOD - ovf.count); ovf.count = 0 \
    :: else -> skip \
    fi
#define OVF_DEAD(x) 0       /* the count of a closed overflow word */
#endif

/* ---------------------------------------------------------------- fast path: the holder's steps */

#define ACQ    0            /* holder stage: the next operation is an acquisition */
#define HOLD   1            /* inside: the next operation is the release */
#define WAKE   3            /* completed the generation with WAITERS set: waitersComplete(g) */
#define OVFACQ 4            /* the section said "no slot": overflow acquisition (CAS loop) */
#define OVFREL 5            /* the section said "no slot": overflow release (fetch_sub) */
#define SHREL  6            /* release on the shared word: sharedRelease(units) */

/* a successful acquisition of generation shared.gen (during a re-opening that is already the next one) */
inline acquired() {
    myGen = shared.gen;
    CHECK(P_ACQUIRE, !begun[myGen]);
    held[myGen] = held[myGen] + UNITS(t);
    stage = HOLD
}

/* an acquisition refused: the last generation is closed (and not being re-opened): go home; else try again */
#define REFUSED_GO_HOME (shared.gen == MAXGEN - 1 && !opening)

/* the section's result CLOSED (flag set; nothing written) */
inline sectionClosed() {
    if
    :: stage == ACQ && REFUSED_GO_HOME -> finished++; break
    :: stage == ACQ && !REFUSED_GO_HOME -> skip
    :: stage == HOLD -> stage = SHREL                         /* folded: release on the shared word */
    fi
}

/* the section's result NO_SLOT (nothing written) */
inline sectionNoSlot() {
    if
    :: stage == ACQ ->
#ifdef BUG_SEPARATE_FLAG_CHECKED_BEFORE_OVERFLOW_CAS
        if                                                    /* acquireOverflow: refuse when the flag is set */
        :: FLAG && REFUSED_GO_HOME -> finished++; break
        :: FLAG && !REFUSED_GO_HOME -> skip
        :: !FLAG -> stage = OVFACQ                            /* its CAS loop is the next step */
        fi
#else
        stage = OVFACQ
#endif
    :: stage == HOLD -> stage = OVFREL
    fi
}

/* the section's start: read the CPU id (any: the thread may have migrated), leave with NO_SLOT if it has none, else
 * it runs on CPU c (preempting an uncommitted section there); then read the flag, leave with CLOSED if set. */
inline sectionStart() {
    if :: c = 0 :: c = 1 :: c = NSLOTS fi;
    if
    :: c == NSLOTS -> c = 0; sectionNoSlot()
    :: else ->
        PREEMPT_OTHERS(t, c);
        scpu[t] = c; c = 0;
#if defined(BUG_FLAG_READ_OUTSIDE_SECTION)
        sec[t] = SEC_FLAG                                     /* the flag was read before the section */
#elif defined(FAITHFUL)
        sec[t] = SEC_CPU                                      /* the flag read is its own step */
#else
        if
        :: FLAG -> scpu[t] = 0; sec[t] = SEC_IDLE; sectionClosed()
        :: else -> sec[t] = SEC_FLAG
        fi
#endif
    fi
}

/* the commit: slot[cpu] = sval + delta, one store; the section is complete */
inline sectionCommit() {
    c = scpu[t];
    CHECK(P_REINIT, sval[t] == slot[c]);                     /* nothing else wrote the slot since the read */
    if
    :: stage == ACQ -> slot[c] = WRAP(sval[t] + UNITS(t)); acquired()
    :: stage == HOLD ->
        slot[c] = WRAP(sval[t] + NETMOD - UNITS(t));
        CHECK(P_REINIT, myGen == shared.gen);                 /* released in its own generation */
        held[myGen] = held[myGen] - UNITS(t); myGen = 0;
        stage = ACQ
    fi;
    sec[t] = SEC_IDLE; scpu[t] = 0; sval[t] = 0;
    NORMALIZE_SLOT(c);
    c = 0
}

/* sharedRelease(u), the engine's release: fetch_sub; the release that brings a closed word to 0 completes
 * generation old.gen (stage 3 if WAITERS) */
inline sharedRelease() {
    load(old);
    CHECK(P_REINIT, old.closed && old.gen == myGen && old.count >= UNITS(t));
    shared.count = shared.count - UNITS(t);
    held[myGen] = held[myGen] - UNITS(t); myGen = 0;
    if
    :: old.count == UNITS(t) ->
        noteCompletion(old.gen);
        if :: old.waiters -> g = old.gen; stage = WAKE :: else -> stage = ACQ fi
    :: else -> stage = ACQ
    fi;
    forget(old)
}

/* ---------------------------------------------------------------- slow path (word side) */

/* beginRundown (PerCPUStorage.close): a caller that finds the shared word CLOSED with pending >= FIP (a fold or a
 * re-opening in progress) yields and reloads until that ends (a blocking guard here); one that finds it CLOSED
 * otherwise returns (run-down of that generation has begun: asserted); the winner of the CAS open -> {CLOSED,
 * pending + BIAS} folds: CLOSE_STEPS. */
inline closeGeneration(when) {
    atomic {
        (when) && !FOLD_IN_PROGRESS ->
        load(old);
        if
        :: !old.closed ->
            CHECK(P_REINIT, old.count == 0);                  /* while active, nothing counts in the shared word */
            shared.closed = 1; shared.count = BIAS; fold = 1; busy = 1; phase = PH_CLOSING
        :: else -> CHECK(P_ACQUIRE, begun[old.gen])           /* a loser returns only once every path refuses */
        fi;
        CHECK(P_WAIT, old.closed || !old.waiters);
        noteClose(old.gen);
        g = old.gen;
        forget(old)
    }
}

/* the fold (foldNetSlots, then the release of BIAS - folded), one step per atomic operation:
 *   fold 1  close the flag. Default: old = ovf.fetch_or(closed), folded = old.count (the flag IS that bit, so this
 *           closes the overflow word too). TWO_WORDS: flag = 1.
 *   fold 2  membarrier: every uncommitted section restarts (skipped with -DBUG_FOLD_WITHOUT_MEMBARRIER)
 *   fold 3  sum of the slots, folded += sum - baseline, baseline = sum; TWO_WORDS: then old = ovf.fetch_or(closed),
 *           folded += old.count. Run-down of g has begun: every path refuses. (FAITHFUL: fold 3 and 4 load one slot
 *           each, fold 5 does the rest.)
 *   fold 6  sharedRelease(BIAS - folded): completes g if that brings pending to 0
 *   fold 7  waitersComplete(g) if it completed with WAITERS set */
#ifdef BUG_FOLD_WITHOUT_MEMBARRIER
#define AFTER_FLAG 3
#else
#define AFTER_FLAG 2
#endif
#ifdef TWO_WORDS
#define CLOSE_FLAG closedFlag = 1
#define CLOSE_OVF foldTotal = WRAP(foldTotal + ovf.count); ovf.closed = 1; ovf.count = OVF_DEAD(ovf.count)
#else
#define CLOSE_FLAG foldTotal = ovf.count; ovf.closed = 1; ovf.count = OVF_DEAD(ovf.count)
#define CLOSE_OVF skip
#endif
#ifdef FAITHFUL
#define FOLD_READ_SLOTS \
    :: atomic { fold == 3 -> foldAcc = slot[0]; foldRead = 1; fold = 4 } \
    :: atomic { fold == 4 -> foldAcc = WRAP(foldAcc + slot[1]); foldRead = 2; fold = 5 }
#define FOLD_STEP_4 fold == 5 ->
#else
#define FOLD_READ_SLOTS
#define FOLD_STEP_4 fold == 3 -> foldAcc = WRAP(slot[0] + slot[1]);
#endif
#define CLOSE_STEPS \
    :: atomic { fold == 1 -> CLOSE_FLAG; fold = AFTER_FLAG } \
    :: atomic { fold == 2 -> MEMBARRIER; fold = 3 } \
    FOLD_READ_SLOTS \
    :: atomic { \
            FOLD_STEP_4 \
            foldTotal = WRAP(foldTotal + foldAcc + NETMOD - baseline); baseline = foldAcc; foldAcc = 0; foldRead = 0; \
            CLOSE_OVF; \
            CHECK(P_REINIT, foldTotal <= NUNITS);             /* the sum is not negative, nor more than can be held */ \
            begun[g] = 1; phase = PH_FOLDED; fold = 6 \
        } \
    :: atomic { \
            fold == 6 -> \
            load(old); \
            CHECK(P_REINIT, old.closed && old.gen == g && old.count >= BIAS - foldTotal); \
            shared.count = shared.count - (BIAS - foldTotal); busy = 0; phase = PH_DOWN; \
            if \
            :: old.count == BIAS - foldTotal -> \
                noteCompletion(g); \
                if :: old.waiters -> fold = 7 :: else -> fold = 0 fi \
            :: else -> fold = 0 \
            fi; \
            foldTotal = 0; forget(old) \
        } \
    :: fold == 7 -> waitersComplete(g); fold = 0
#define CLOSED (fold == 0)

/* reInitialize: requires completed(g) (trap otherwise); CAS completed(g) -> opening {g + 1, CLOSED, BIAS}; store
 * ovf = {open, 0} (default: that reopens the flag too; TWO_WORDS: then store flag = 0); store shared = open(g + 1).
 * Slots are not reset: the baseline stays. */
#ifdef TWO_WORDS
#define REOPEN_FLAG :: atomic { fold == 2 -> closedFlag = 0; fold = 3 }
#define AFTER_OVF 2
#else
#define REOPEN_FLAG
#define AFTER_OVF 3
#endif
inline reInitialize(when) {
    atomic {
        when -> result = 0; g = 0; timed = 0;
        assert(COMPLETED(shared));                         /* precondition (misuse trap) */
        CHECK(P_REINIT, held[shared.gen] == 0 && phase == PH_DOWN);
        shared.gen = shared.gen + 1;
        shared.closed = 1; shared.waiters = 0; shared.count = BIAS;
        busy = 1; opening = 1; phase = PH_OPENING;
        fold = 1
    }
    do
    :: atomic {
            fold == 1 ->
            CHECK(P_REINIT, ovf.closed);                   /* nothing but the fold's fetch_or set it */
            ovf.closed = 0; ovf.count = 0; fold = AFTER_OVF
        }
    REOPEN_FLAG
    :: atomic {
            fold == 3 -> fold = 0;
            CHECK(P_REINIT, shared.closed && !shared.waiters && shared.count == BIAS);  /* nobody touched it */
            shared.closed = 0; shared.waiters = 0; shared.count = 0;
            busy = 0; opening = 0; phase = PH_OPEN;
            break
        }
    od
}

#define SLOTS_SINCE_FOLD WRAP(slot[0] + slot[1] + NETMOD - baseline)
#if NHOLDERS >= 3
#define NO_SECTION (sec[0] == SEC_IDLE && sec[1] == SEC_IDLE && sec[2] == SEC_IDLE)
#elif NHOLDERS == 2
#define NO_SECTION (sec[0] == SEC_IDLE && sec[1] == SEC_IDLE)
#else
#define NO_SECTION (sec[0] == SEC_IDLE)
#endif
#define FINAL_STATE (COMPLETED(shared) && shared.gen == MAXGEN - 1 && phase == PH_DOWN && FLAG && ovf.closed && \
                     SLOTS_SINCE_FOLD == 0 && NO_SECTION)

#include "waiting.pml"

/* ---------------------------------------------------------------- holders */

proctype Holder(byte t) {
    byte me = HOLDER;
    LOCALS;
    do
#ifdef BUG_FLAG_READ_OUTSIDE_SECTION
    :: atomic {                                            /* the flag, read before the section */
            (stage == ACQ || stage == HOLD) && sec[t] == SEC_IDLE ->
            if
            :: FLAG -> sectionClosed()
            :: else -> sec[t] = SEC_FLAGOK
            fi
        }
    :: atomic { (stage == ACQ || stage == HOLD) && sec[t] == SEC_FLAGOK -> sec[t] = SEC_IDLE; sectionStart() }
#else
    :: atomic { (stage == ACQ || stage == HOLD) && sec[t] == SEC_IDLE -> sectionStart() }
#endif
#if defined(FAITHFUL) && !defined(BUG_FLAG_READ_OUTSIDE_SECTION)
    :: atomic {                                            /* the flag, inside the section */
            sec[t] == SEC_CPU ->
            if
            :: FLAG -> scpu[t] = 0; sec[t] = SEC_IDLE; sectionClosed()
            :: else -> sec[t] = SEC_FLAG
            fi
        }
#endif
    :: atomic { sec[t] == SEC_FLAG -> sval[t] = slot[scpu[t]]; sec[t] = SEC_READ }
    :: atomic { sec[t] == SEC_READ -> sectionCommit() }
#if RSEQ_STRESS_MIGRATE
    :: atomic { IN_FLIGHT(t) -> abortSection(t) }          /* migrated inside the section: it restarts */
#endif
    :: atomic {                                            /* acquireOverflow: CAS loop refusing when closed */
            stage == OVFACQ ->
            if
            :: ovf.closed && REFUSED_GO_HOME -> finished++; break
            :: ovf.closed && !REFUSED_GO_HOME -> stage = ACQ
            :: !ovf.closed -> ovf.count = WRAP(ovf.count + UNITS(t)); NORMALIZE_OVF; acquired()
            fi
        }
    :: atomic {                                            /* overflow release: fetch_sub; shared too if it was closed */
            stage == OVFREL ->
            if
            :: ovf.closed -> ovf.count = OVF_DEAD(WRAP(ovf.count + NETMOD - UNITS(t))); stage = SHREL
            :: else ->
                ovf.count = WRAP(ovf.count + NETMOD - UNITS(t)); NORMALIZE_OVF;
                CHECK(P_REINIT, myGen == shared.gen);
                held[myGen] = held[myGen] - UNITS(t); myGen = 0; stage = ACQ
            fi
        }
    :: atomic { stage == SHREL -> sharedRelease() }
    :: stage == WAKE -> waitersComplete(g); atomic { g = 0; stage = ACQ }
    od
}

/* ---------------------------------------------------------------- invariants */

#if NHOLDERS >= 3
#define EXCLUSIVE (!(IN_FLIGHT(0) && IN_FLIGHT(1) && scpu[0] == scpu[1]) && \
                   !(IN_FLIGHT(0) && IN_FLIGHT(2) && scpu[0] == scpu[2]) && \
                   !(IN_FLIGHT(1) && IN_FLIGHT(2) && scpu[1] == scpu[2]))
#elif NHOLDERS == 2
#define EXCLUSIVE (!(IN_FLIGHT(0) && IN_FLIGHT(1) && scpu[0] == scpu[1]))
#else
#define EXCLUSIVE true
#endif
#define HELD held[shared.gen]
/* What counts where, in each phase. NET = the slots since the fold + the open overflow word's count (modulo NETMOD;
 * unchanged by NORMALIZE); pending exact:
 *   open     flag and ovf open; NET = the holders
 *   closing  (pending - BIAS) + the slots since the fold + (ovf open: its count; closed: what the fold read from
 *            it) = the holders (releases to the shared word subtract from pending)
 *   folded   ovf closed, NET = 0 (the baseline is the slots' sum); (pending - BIAS) + folded = the holders
 *   down     flag set, ovf closed, NET = 0 (no slot written since the fold); pending = the holders
 *   opening  pending = BIAS; NET = the holders; while ovf is still closed the flag is set and nobody is inside
 * and: "CLOSED with pending >= FIP" exactly while a fold or re-opening is in progress; earlier generations empty; no
 * two uncommitted sections on one CPU. */
#define NET WRAP(SLOTS_SINCE_FOLD + (ovf.closed -> 0 : ovf.count))
#define PHASE_INVARIANT \
    ((phase == PH_OPEN && !shared.closed && !FLAG && !ovf.closed && NET == HELD) || \
     (phase == PH_CLOSING && shared.closed && \
      WRAP(shared.count + NETMOD * 4 - BIAS + SLOTS_SINCE_FOLD + (ovf.closed -> foldTotal : ovf.count)) == HELD) || \
     (phase == PH_FOLDED && shared.closed && FLAG && ovf.closed && NET == 0 && \
      shared.count + foldTotal == BIAS + HELD) || \
     (phase == PH_DOWN && shared.closed && FLAG && ovf.closed && NET == 0 && shared.count == HELD) || \
     (phase == PH_OPENING && shared.closed && shared.count == BIAS && NET == HELD && \
      (!ovf.closed || (FLAG && HELD == 0))))
#define COUNT_INVARIANT (PHASE_INVARIANT && (shared.gen == 0 || held[shared.gen - 1] == 0) && \
                         busy == FOLD_IN_PROGRESS && EXCLUSIVE)
active proctype Monitor() {
end:
    atomic {
        !(COUNT_INVARIANT && (!shared.waiters || shared.closed)) ->
            CHECK(P_REINIT, COUNT_INVARIANT);
            CHECK(P_WAIT, !shared.waiters || shared.closed)
    }
}

init {
    atomic {
        run Holder(0);
#if NHOLDERS >= 2
        run Holder(1);
#endif
#if NHOLDERS >= 3
        run Holder(2);
#endif
        run Owner(); run AsyncWaiter(); run Registrant()
    }
}
