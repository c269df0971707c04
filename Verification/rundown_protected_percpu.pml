// SPDX-License-Identifier: Apache-2.0
/*
 * rundown_protected_percpu.pml -- SPIN model of RundownProtected<Value> whose two value slots are each guarded by a
 * per-CPU reader counter (PerCPUStorage, restartable-sequence protocol, exactly as in rundown_rseq.pml).
 *
 * Swift: Sources/Rundown/Protected/RundownProtected.swift (withValue, acquireCurrentSlot),
 *        RundownProtected+Replace.swift (replace, install, retire, close); the counter per value slot is a
 *        PerCPUStorage (acquire, release, close, reInitialize; Sources/Rundown/CacheAware/PerCPUStorage.swift,
 *        PerCPUStorage+Fold.swift, and the section in Sources/CRundownSupport/include/CRundownRseq.h). README.md,
 *        "RundownProtected with per-CPU readers", has the table.
 *
 * Memory (sequentially consistent; orderings are not modelled):
 *   pub         the published word {current slot, retired}, written only by the writer. Kept as its version pubver:
 *               version 0 is the initial {0}, version k (1 .. NREPL) the k-th replacement's {k & 1}, version NREPL + 1
 *               the retirement's {NREPL & 1, retired}. WORD_OF(v) is the word of version v, so two versions compare
 *               as the words do (version 0 and 2 are the same word {0}: a stale reader sees the ABA).
 *   value[s]    value slot s: 0 = empty, k + 1 = value k (value k is the one version k publishes; value 0 the initial)
 *   ctr[s]      the per-CPU counter of value slot s, one set of arrays indexed by s:
 *     cell[CELL(s, c)]  NET count of CPU c < NCPUSLOTS (PerCPUStorage's slot c), written only by the commit of a
 *                       section running on CPU c; modulo NETMOD
 *     baseline[s]       the cells' sum at the last fold
 *     ovfClosed[s], ovfCount[s]  the overflow word {closed bit, net count}; its closed bit is the flag every section
 *                       reads (FLAG(s))
 *     shClosed[s], shCount[s], gen[s]  the shared completion word {closed, pending, generation}; pending is 0 while
 *                       open, the close adds BIAS, the fold takes BIAS - folded out. Completed = closed with
 *                       pending 0 (what the writer waits for; waiter records and callbacks are the engine's, checked
 *                       by rundown_rseq.pml)
 *
 * CPUs: CPU ids 0 .. NCPUSLOTS - 1 have a cell, id NCPUSLOTS has none (the overflow word). A reader's section runs on
 * the CPU it reads at its start, which may be any id (the reader may have migrated since its last step); with
 * RSEQ_STRESS_MIGRATE (default 1) a migration inside a section aborts it. A section start on CPU c preempts, and so
 * aborts, any other reader's uncommitted section on c (whichever counter it is on); the membarrier aborts every
 * uncommitted section. sec[r], scpu[r], sval[r]: reader r's section state, its CPU, the cell value it read.
 *
 * The section c_rundown_rseq_add(delta) on ctr[s]: (1) read the CPU id: none for it -> NO_SLOT; (2) read the flag:
 * set -> CLOSED; (3) read the cell; (4) commit: cell = value + delta, one store -> DONE. Steps 1 to 3 are one step
 * here (-DFAITHFUL: 1, 2 and 3 are three), the commit is its own: between 2 and 3 nothing can write the cell without
 * aborting the section (only a section on the same CPU writes it, and its start preempts this one), and the
 * membarrier aborts the section wherever it is before the commit, so the split adds states but no behaviour.
 *
 * Actors:
 *   Reader(r), NREADERS of them: withValue calls one after another, any number; between calls a reader may stop.
 *   One call (acquireCurrentSlot, the body, the release):
 *     LOAD     w = load pub; retired -> throw (the call and the reader end); else s = w.slot
 *     ACQ      ctr[s].acquire(): a section +1 on the reader's CPU (refused when the flag is set), or, on the CPU
 *              without a cell, the overflow CAS (refused when the overflow word is closed). Refused: LOAD again (the
 *              acquiring fence and the reload of pub)
 *     RECHECK  w2 = load pub; w2 != w: ctr[s].release(), then w = w2 and the loop goes on with w2 (no reload)
 *     READ, BODY  the body reads value[s] (two steps: its start and its end)
 *     REL      ctr[s].release(): a section -1 (flag set: the shared word instead), or, on the CPU without a cell,
 *              the overflow fetch_sub (and the shared word if the overflow word was closed)
 *   Writer, one: NREPL replacements (install + wait + take out), then (RETIRE, default 1) the retirement.
 *     replace k (old = (k - 1) & 1, new = k & 1):
 *       value[new] = value k            the slot is idle: ctr[new] completed, every acquisition refused
 *       ctr[new].reInitialize()         CAS completed(g) -> opening {g + 1, closed, BIAS}; store the overflow word
 *                                       open (that reopens the flag); store shared open(g + 1)
 *       pub = {new}                     releasing store
 *       ctr[old].close()                CAS open -> {closed, BIAS}; fetch_or the flag (reads the overflow count);
 *                                       membarrier; sum the cells since the baseline; release BIAS - folded
 *       wait until ctr[old] completed   (a blocking guard)
 *       take value[old] out             (teardown)
 *     retire: pub = {slot, retired}; ctr[slot].close(); wait; take value[slot] out.
 *   Monitor (invariants in every state), Quiescence (final checks once every actor has finished).
 *
 * Properties (assertion groups, PROP; check.sh names them):
 *   6 no_reader_refused_before_retire  a reader throws only once the retirement has stored the retired word; a
 *                counter refuses a reader only after pub has moved on since the reader loaded the word it acts on
 *                (so a refusal is a retry with a newer word, never a turn-away)
 *   7 teardown_after_last_reader  the writer writes a value slot and takes a value out only while no reader reads
 *                that slot (reading = from the body's start until its release took effect); a body finds its slot
 *                full at its start and unchanged at its end
 *   8 reads_are_current  the value a body reads is one that was published at some point between the start of the
 *                call and the read (values are published in order: startCur <= value <= the current one): never a
 *                value not yet published, never one replaced before the call began; the published slot holds the
 *                published value (Monitor)
 *   9 counts_balance  per counter and phase of its close / re-initialization (Monitor, as rundown_rseq.pml): the net
 *                count since the fold (+ the open overflow word) equals the readers inside; during the close with
 *                pending - BIAS added; 0 after the fold; pending = the readers inside after the fold; "closed with
 *                pending >= FIP" exactly while a fold or re-opening is in progress; no two uncommitted sections on
 *                one CPU; each commit writes onto what its section read; no acquisition succeeds on a counter whose
 *                run-down has begun (the fold took effect); the fold counts 0 .. NUNITS; a release on the
 *                shared word finds it closed, in the reader's generation, with enough pending; every release is in
 *                the generation of its acquisition; re-initialization only of a completed counter with nobody
 *                inside. At quiescence: every counter's net count 0, nobody inside, the closed counters completed,
 *                and each value handed out exactly once (the take-out asserts it was not handed out before)
 *   5 quiescence  no invalid end state: the writer's wait cannot hang once the readers have stopped
 *   everyone_finishes (LTL, pan -a -f)  every wait returns and every reader finishes, under weak fairness
 *
 * Planted bugs (check.sh requires each to violate a property; README.md, "Planted bugs"):
 *   -DBUG_NO_RECHECK_AFTER_ACQUIRE   the reader skips the re-check of pub after its acquisition. A reader that loaded
 *                {0} stalls across the first replacement and acquires ctr[0] after the second refilled and reopened it,
 *                before it publishes {0}: it reads value 2 before it is published. Violates reads_are_current
 *   -DBUG_CLOSE_OLD_BEFORE_PUBLISH   the writer closes ctr[old] before it publishes the new slot: a reader that
 *                loaded the current word is refused by its counter while pub still names that slot. Violates
 *                no_reader_refused_before_retire
 *   -DBUG_CLOSE_WITHOUT_MEMBARRIER   the counter's close (of the old slot, and the retirement's) folds without the
 *                membarrier: a section that read the flag open commits after the fold. Violates counts_balance (an
 *                acquisition after run-down began). What follows: the uncounted reader loses its re-check and releases
 *                on the shared word, taking the unit of a counted reader, so the wait returns and the value is taken
 *                out while that reader reads it (teardown_after_last_reader, with 2 readers); or a release the fold
 *                counted commits on a cell after it, and the wait never returns (quiescence)
 *
 * Variant (passes; README.md explains why the code keeps the order anyway):
 *   -DREOPEN_BEFORE_VALUE_WRITTEN   the writer re-initializes ctr[new] before it writes value[new]
 *
 * Configuration: -DNREADERS (1 .. 3, default 2), -DNREPL (replacements, 1 .. 3, default 2), -DRETIRE (0 / 1, default
 * 1), -DPROP (0 = every group). State-space switches: -DFAITHFUL (the section's CPU, flag and cell reads are three
 * steps, the fold reads one cell per step), -DNO_NORMALIZE (raw net counts), -DRSEQ_STRESS_MIGRATE=0. Every atomic
 * operation of the writer is its own step, as is every load of pub.
 */

#if defined(BUG_CLOSE_OLD_BEFORE_PUBLISH) && defined(REOPEN_BEFORE_VALUE_WRITTEN)
#error "give one writer order at a time"
#endif

#ifndef NREADERS
#define NREADERS 2
#endif
#ifndef NREPL
#define NREPL 2
#endif
#ifndef RETIRE
#define RETIRE 1
#endif
#ifndef PROP
#define PROP 0
#endif
#ifndef RSEQ_STRESS_MIGRATE
#define RSEQ_STRESS_MIGRATE 1
#endif

#define P_QUIESCE   5       /* quiescence                      */
#define P_REFUSE    6       /* no_reader_refused_before_retire */
#define P_TEARDOWN  7       /* teardown_after_last_reader      */
#define P_CURRENT   8       /* reads_are_current               */
#define P_COUNTS    9       /* counts_balance                  */
#define CHECK(p, e) assert(!(PROP == 0 || PROP == (p)) || (e))

#define NCPUSLOTS 2                 /* CPU ids 0 .. NCPUSLOTS; id NCPUSLOTS has no cell */
#define CELL(s, cc) ((s) * NCPUSLOTS + (cc))

/* every reader acquires one unit (holderUnit) */
#define NUNITS NREADERS
/* before the fold takes effect at most NUNITS units are released on the shared word, after it pending <= NUNITS:
 * BIAS = 4 x (NUNITS + 1) and FIP = BIAS / 2 keep the two ranges apart (Swift: foldBias 2^31, foldInProgress 2^30) */
#undef BIAS                         /* this model's own: a -DBIAS or -DNETMOD meant for the others does not apply */
#undef NETMOD
#define BIAS (4 * (NUNITS + 1))
#define FIP (BIAS / 2)
#define NETMOD (2 * (NUNITS + 1))
#define WRAP(x) ((((x) % NETMOD) + NETMOD) % NETMOD)

/* ---------------------------------------------------------------- the published word */
byte pubver;                                /* the version of pub (see the header) */
#define RETIRED_V(v) ((v) > NREPL)
#define WORD_OF(v)   (RETIRED_V(v) -> ((NREPL & 1) | 2) : ((v) & 1))
#define SLOT_OF(v)   (WORD_OF(v) & 1)
#define VAL_OF(v)    (RETIRED_V(v) -> NREPL : (v))      /* the value current at version v */

byte value[2];                              /* 0 = empty, k + 1 = value k */

/* ---------------------------------------------------------------- the two counters */
byte cell[2 * NCPUSLOTS];                   /* net counts, modulo NETMOD */
byte baseline[2];
bit  ovfClosed[2];                          /* the overflow word's closed bit: the flag */
byte ovfCount[2];                           /* its net count, modulo NETMOD */
#define FLAG(s) ovfClosed[s]
bit  shClosed[2];                           /* the shared word */
byte shCount[2];
byte gen[2];
#define COMPLETED(s) (shClosed[s] && shCount[s] == 0)

/* ---------------------------------------------------------------- readers' sections */
#define SEC_IDLE   0        /* not in a section; its next step starts one */
#define SEC_CPU    1        /* (FAITHFUL) in flight on scpu: CPU read, the flag read is next */
#define SEC_FLAG   2        /* in flight on scpu: flag read open, the cell read is next */
#define SEC_READ   3        /* in flight on scpu: cell read into sval, the commit is next */
#define IN_FLIGHT(v) (sec[v] >= SEC_CPU)
byte sec[NREADERS];
byte scpu[NREADERS];
byte sval[NREADERS];
byte lver[NREADERS];                        /* the version of the word w the reader acts on */
#define CTR_OF(v) SLOT_OF(lver[v])          /* the value slot (and counter) reader v acts on */

/* ---------------------------------------------------------------- ghosts */
#define PH_OPEN    0        /* shared open */
#define PH_CLOSING 1        /* closed by the close's CAS; flag, membarrier, fold still to come */
#define PH_FOLDED  2        /* the fold has read (and closed) everything; its release is next */
#define PH_DOWN    3        /* the fold took effect: pending = the readers still inside */
#define PH_OPENING 4        /* re-initialization: shared = opening(g + 1) */
byte phase[2];
byte held[2];               /* readers inside counter s (in its current generation) */
bool begun[2];              /* run-down of counter s's current generation has begun (the fold took effect) */
bool reading[NREADERS];     /* reader v is in its body: from the read until its release took effect */
byte handed[NREPL + 1];     /* how often value k was taken out */
byte foldTotal;             /* the fold's `folded` (one fold at a time: one writer) */
byte foldAcc;               /* the fold's running sum of the cells (FAITHFUL) */
byte foldRead;              /* (FAITHFUL) how many cells foldAcc holds */
byte foldCtr;               /* the counter being folded */
byte finished;              /* actors that have finished */
#define RETIRING RETIRED_V(pubver)

/* ---------------------------------------------------------------- per-reader macros */
inline abortSection(v) {
    sec[v] = SEC_IDLE; scpu[v] = 0; sval[v] = 0
}

#define PREEMPT(r, v, cc) \
    if \
    :: (v) != (r) && IN_FLIGHT(v) && scpu[v] == (cc) -> abortSection(v) \
    :: else -> skip \
    fi
#define ABORT_IF_IN_FLIGHT(v) if :: IN_FLIGHT(v) -> abortSection(v) :: else -> skip fi
#if NREADERS >= 3
#define PREEMPT_OTHERS(r, cc) PREEMPT(r, 0, cc); PREEMPT(r, 1, cc); PREEMPT(r, 2, cc)
#define MEMBARRIER ABORT_IF_IN_FLIGHT(0); ABORT_IF_IN_FLIGHT(1); ABORT_IF_IN_FLIGHT(2)
#define EXCLUSIVE (!(IN_FLIGHT(0) && IN_FLIGHT(1) && scpu[0] == scpu[1]) && \
                   !(IN_FLIGHT(0) && IN_FLIGHT(2) && scpu[0] == scpu[2]) && \
                   !(IN_FLIGHT(1) && IN_FLIGHT(2) && scpu[1] == scpu[2]))
#define NOBODY_READS(s) (!(reading[0] && CTR_OF(0) == (s)) && !(reading[1] && CTR_OF(1) == (s)) && \
                         !(reading[2] && CTR_OF(2) == (s)))
#define NO_SECTION (sec[0] == SEC_IDLE && sec[1] == SEC_IDLE && sec[2] == SEC_IDLE)
#elif NREADERS == 2
#define PREEMPT_OTHERS(r, cc) PREEMPT(r, 0, cc); PREEMPT(r, 1, cc)
#define MEMBARRIER ABORT_IF_IN_FLIGHT(0); ABORT_IF_IN_FLIGHT(1)
#define EXCLUSIVE (!(IN_FLIGHT(0) && IN_FLIGHT(1) && scpu[0] == scpu[1]))
#define NOBODY_READS(s) (!(reading[0] && CTR_OF(0) == (s)) && !(reading[1] && CTR_OF(1) == (s)))
#define NO_SECTION (sec[0] == SEC_IDLE && sec[1] == SEC_IDLE)
#else
#define PREEMPT_OTHERS(r, cc) PREEMPT(r, 0, cc)
#define MEMBARRIER ABORT_IF_IN_FLIGHT(0)
#define EXCLUSIVE true
#define NOBODY_READS(s) (!(reading[0] && CTR_OF(0) == (s)))
#define NO_SECTION (sec[0] == SEC_IDLE)
#endif

/* ---------------------------------------------------------------- symmetry reduction of the net counts */
/* As in rundown_rseq.pml: only differences of the net counts are ever used, so adding d to a cell, to its counter's
 * baseline, to an uncommitted section's read of that cell and to the fold's running sum if it holds that cell
 * changes nothing observable; nor does adding d to an open overflow word and the baseline; a closed overflow word's
 * count is never read again. NORMALIZE keeps one representative: every cell and open overflow word 0. */
#ifdef NO_NORMALIZE
#define NORMALIZE_CELL(s, cc)
#define NORMALIZE_OVF(s)
#define OVF_DEAD(x) (x)
#else
#define SHIFT_SVAL(v, s, cc) \
    if \
    :: sec[v] == SEC_READ && scpu[v] == (cc) && CTR_OF(v) == (s) -> \
        sval[v] = WRAP(sval[v] + NETMOD - cell[CELL(s, cc)]) \
    :: else -> skip \
    fi
#if NREADERS >= 3
#define SHIFT_SVALS(s, cc) SHIFT_SVAL(0, s, cc); SHIFT_SVAL(1, s, cc); SHIFT_SVAL(2, s, cc)
#elif NREADERS == 2
#define SHIFT_SVALS(s, cc) SHIFT_SVAL(0, s, cc); SHIFT_SVAL(1, s, cc)
#else
#define SHIFT_SVALS(s, cc) SHIFT_SVAL(0, s, cc)
#endif
#define NORMALIZE_CELL(s, cc) \
    if \
    :: cell[CELL(s, cc)] != 0 -> \
        baseline[s] = WRAP(baseline[s] + NETMOD - cell[CELL(s, cc)]); \
        SHIFT_SVALS(s, cc); \
        if \
        :: foldCtr == (s) && foldRead > (cc) -> foldAcc = WRAP(foldAcc + NETMOD - cell[CELL(s, cc)]) \
        :: else -> skip \
        fi; \
        cell[CELL(s, cc)] = 0 \
    :: else -> skip \
    fi
#define NORMALIZE_OVF(s) \
    if \
    :: !ovfClosed[s] && ovfCount[s] != 0 -> baseline[s] = WRAP(baseline[s] + NETMOD - ovfCount[s]); ovfCount[s] = 0 \
    :: else -> skip \
    fi
#define OVF_DEAD(x) 0
#endif

/* ---------------------------------------------------------------- the reader */

#define IDLE    0           /* between calls: the next step starts a call (or the reader stops) */
#define LOAD    1           /* the next step loads pub (the call's first load, or the reload after a refusal) */
#define ACQ     2           /* acquiring ctr[s] */
#define OVFACQ  3           /* the section said "no cell": overflow CAS loop */
#define RECHECK 4           /* acquired: the re-check of pub is next */
#define READ    5           /* the body's start: reads value[s] */
#define BODY    6           /* the body's end */
#define REL     7           /* releasing ctr[s] */
#define OVFREL  8           /* the section said "no cell": overflow fetch_sub */
#define SHREL   9           /* release on the shared word */

/* RS: the counter (and value slot) the reader acts on, s = w.slot */
#define RS CTR_OF(r)

/* the loop head with w = WORD_OF(lver[r]): retired -> throw (the reader ends); else acquire its slot's counter */
inline dispatch() {
    if
    :: RETIRED_V(lver[r]) ->
        CHECK(P_REFUSE, RETIRING);
        lver[r] = 0; startCur = 0; finished++; break
    :: else -> stage = ACQ
    fi
}

/* ctr[s] refused the acquisition: the reader reloads pub (an acquiring fence, then the load) */
inline refused() {
    CHECK(P_REFUSE, pubver != lver[r]);                   /* pub moved on since the reader loaded w */
    stage = LOAD
}

inline acquired() {
    myGen = gen[RS];
    CHECK(P_COUNTS, !begun[RS]);                           /* not after the counter's run-down began */
    held[RS]++;
#ifdef BUG_NO_RECHECK_AFTER_ACQUIRE
    stage = READ
#else
    stage = RECHECK
#endif
}

/* the release took effect: after a lost race the loop goes on with w2, else the call is over */
inline released() {
    CHECK(P_COUNTS, myGen == gen[RS] && held[RS] > 0);      /* released in the generation of its acquisition */
    held[RS]--; myGen = 0; reading[r] = 0;
    if
    :: lost -> lost = 0; lver[r] = nver; nver = 0; dispatch()
    :: else -> lver[r] = 0; startCur = 0; stage = IDLE
    fi
}

/* the section's start: read the CPU id (any); none -> NO_SLOT; else it runs there, preempting an uncommitted
 * section there, and reads the flag: set -> CLOSED */
inline sectionStart() {
    if :: c = 0 :: c = 1 :: c = NCPUSLOTS fi;
    if
    :: c == NCPUSLOTS ->
        c = 0;
        if :: stage == ACQ -> stage = OVFACQ :: else -> stage = OVFREL fi
    :: else ->
        PREEMPT_OTHERS(r, c);
        scpu[r] = c; c = 0;
#ifdef FAITHFUL
        sec[r] = SEC_CPU
#else
        sectionFlag()
#endif
    fi
}

inline sectionFlag() {
    if
    :: FLAG(RS) ->
        sec[r] = SEC_IDLE; scpu[r] = 0;
        if :: stage == ACQ -> refused() :: else -> stage = SHREL fi
    :: else ->
#ifdef FAITHFUL
        sec[r] = SEC_FLAG
#else
        sval[r] = cell[CELL(RS, scpu[r])]; sec[r] = SEC_READ  /* with the cell read (see the header) */
#endif
    fi
}

/* the commit: cell = sval +- 1, one store */
inline sectionCommit() {
    c = scpu[r];
    CHECK(P_COUNTS, sval[r] == cell[CELL(RS, c)]);          /* nothing else wrote the cell since the read */
    if
    :: stage == ACQ -> cell[CELL(RS, c)] = WRAP(sval[r] + 1)
    :: else -> cell[CELL(RS, c)] = WRAP(sval[r] + NETMOD - 1)
    fi;
    sec[r] = SEC_IDLE; scpu[r] = 0; sval[r] = 0;
    NORMALIZE_CELL(RS, c);
    c = 0;
    if :: stage == ACQ -> acquired() :: else -> released() fi   /* last: released() may end the reader */
}

proctype Reader(byte r) {
    byte stage = IDLE;
    byte startCur;          /* the value current when the call began */
    byte nver;              /* the version the re-check loaded (w2), while the lost race's release runs */
    bool lost;              /* the release under way follows a lost re-check */
    byte vid;               /* the value the body read */
    byte myGen, c;
    do
    :: atomic { stage == IDLE -> finished++; break }                          /* stops between calls */
    :: atomic { stage == IDLE -> lver[r] = pubver; startCur = VAL_OF(pubver); dispatch() }   /* call: w = load */
    :: atomic { stage == LOAD -> lver[r] = pubver; dispatch() }               /* fence + reload after a refusal */
    :: atomic { (stage == ACQ || stage == REL) && sec[r] == SEC_IDLE -> sectionStart() }
#ifdef FAITHFUL
    :: atomic { sec[r] == SEC_CPU -> sectionFlag() }
    :: atomic { sec[r] == SEC_FLAG -> sval[r] = cell[CELL(RS, scpu[r])]; sec[r] = SEC_READ }
#endif
    :: atomic { sec[r] == SEC_READ -> sectionCommit() }
#if RSEQ_STRESS_MIGRATE
    :: atomic { IN_FLIGHT(r) -> abortSection(r) }                              /* migrated inside the section */
#endif
    :: atomic {                                                                /* acquireOverflow: CAS loop */
            stage == OVFACQ ->
            if
            :: ovfClosed[RS] -> refused()
            :: else -> ovfCount[RS] = WRAP(ovfCount[RS] + 1); NORMALIZE_OVF(RS); acquired()
            fi
        }
    :: atomic {                                                                /* the re-check */
            stage == RECHECK ->
            if
            :: WORD_OF(pubver) == WORD_OF(lver[r]) -> stage = READ
            :: else -> nver = pubver; lost = 1; stage = REL
            fi
        }
    :: atomic {                                                                /* the body's start */
            stage == READ ->
            CHECK(P_TEARDOWN, value[RS] != 0);
            vid = value[RS] - 1;
            CHECK(P_CURRENT, startCur <= vid && vid <= VAL_OF(pubver));
            reading[r] = 1; stage = BODY
        }
    :: atomic {                                                                /* the body's end */
            stage == BODY ->
            CHECK(P_TEARDOWN, value[CTR_OF(r)] == vid + 1);
            vid = 0; stage = REL
        }
    :: atomic {                                                                /* overflow release: fetch_sub */
            stage == OVFREL ->
            if
            :: ovfClosed[RS] -> ovfCount[RS] = OVF_DEAD(WRAP(ovfCount[RS] + NETMOD - 1)); stage = SHREL
            :: else -> ovfCount[RS] = WRAP(ovfCount[RS] + NETMOD - 1); NORMALIZE_OVF(RS); released()
            fi
        }
    :: atomic {                                                                /* the shared word's release */
            stage == SHREL ->
            CHECK(P_COUNTS, shClosed[RS] && gen[RS] == myGen && shCount[RS] >= 1);
            shCount[RS] = shCount[RS] - 1;
            released()
        }
    od
}

/* ---------------------------------------------------------------- the writer */

/* value[nw] = value k: the slot is idle, nobody reads it */
inline writeValue(nw, k) {
    atomic {
        CHECK(P_TEARDOWN, NOBODY_READS(nw) && value[nw] == 0);
#ifndef REOPEN_BEFORE_VALUE_WRITTEN
        CHECK(P_COUNTS, COMPLETED(nw) && held[nw] == 0 && phase[nw] == PH_DOWN);
#endif
        value[nw] = k + 1
    }
}

/* PerCPUStorage.reInitialize: CAS completed(g) -> opening {g + 1, closed, BIAS}; store the overflow word open (and
 * with it the flag); store shared open(g + 1). The cells are not touched: the baseline stays. */
inline reInitialize(nw) {
    atomic {
        CHECK(P_COUNTS, COMPLETED(nw) && held[nw] == 0 && phase[nw] == PH_DOWN);
        gen[nw] = gen[nw] + 1; shClosed[nw] = 1; shCount[nw] = BIAS; begun[nw] = 0; phase[nw] = PH_OPENING
    }
    atomic {
        CHECK(P_COUNTS, ovfClosed[nw]);
        ovfClosed[nw] = 0; ovfCount[nw] = 0
    }
    atomic {
        CHECK(P_COUNTS, shClosed[nw] && shCount[nw] == BIAS);
        shClosed[nw] = 0; shCount[nw] = 0; phase[nw] = PH_OPEN
    }
}

/* PerCPUStorage.close (the only closer: the writer holds the turn), then foldNetSlots, then the bias release */
#ifdef FAITHFUL
#define FOLD_READ(o) \
    atomic { foldAcc = cell[CELL(o, 0)]; foldRead = 1 }; \
    atomic { foldAcc = WRAP(foldAcc + cell[CELL(o, 1)]); foldRead = 2 }
#else
#define FOLD_READ(o) foldAcc = WRAP(cell[CELL(o, 0)] + cell[CELL(o, 1)])
#endif
inline closeCounter(o) {
    atomic {
        CHECK(P_COUNTS, !shClosed[o] && shCount[o] == 0 && phase[o] == PH_OPEN);
        shClosed[o] = 1; shCount[o] = BIAS; phase[o] = PH_CLOSING; foldCtr = o
    }
    atomic { foldTotal = ovfCount[o]; ovfClosed[o] = 1; ovfCount[o] = OVF_DEAD(ovfCount[o]) }   /* fetch_or flag */
#ifndef BUG_CLOSE_WITHOUT_MEMBARRIER
    atomic { MEMBARRIER }
#endif
    atomic {
        FOLD_READ(o);
        foldTotal = WRAP(foldTotal + foldAcc + NETMOD - baseline[o]); baseline[o] = foldAcc; foldAcc = 0; foldRead = 0;
        CHECK(P_COUNTS, foldTotal <= NUNITS);             /* not negative, not more than can be held */
        begun[o] = 1; phase[o] = PH_FOLDED
    }
    atomic {                                              /* shared.release(units: BIAS - folded) */
        CHECK(P_COUNTS, shClosed[o] && shCount[o] >= BIAS - foldTotal);
        shCount[o] = shCount[o] - (BIAS - foldTotal); foldTotal = 0; foldCtr = 0; phase[o] = PH_DOWN
    }
}

/* wait for completion, then move the value out (teardown) */
inline waitAndTakeOut(o, k) {
    COMPLETED(o);
    atomic {
        CHECK(P_TEARDOWN, NOBODY_READS(o) && value[o] == k + 1);
        CHECK(P_COUNTS, handed[k] == 0);
        handed[k] = 1; value[o] = 0
    }
}

proctype Writer() {
    byte k = 1;
    do
    :: k <= NREPL ->
#ifdef REOPEN_BEFORE_VALUE_WRITTEN
        reInitialize(k & 1);
        writeValue(k & 1, k);
#else
        writeValue(k & 1, k);
        reInitialize(k & 1);
#endif
#ifdef BUG_CLOSE_OLD_BEFORE_PUBLISH
        closeCounter((k - 1) & 1);
        pubver = k;
#else
        pubver = k;                                       /* pub = {new}, releasing */
        closeCounter((k - 1) & 1);
#endif
        waitAndTakeOut((k - 1) & 1, k - 1);
        k++
    :: k > NREPL -> break
    od;
#if RETIRE
    pubver = NREPL + 1;                                   /* pub = {slot, retired} */
    closeCounter(NREPL & 1);
    waitAndTakeOut(NREPL & 1, NREPL);
#endif
    finished++
}

/* ---------------------------------------------------------------- invariants */
#define SINCE_FOLD(s) WRAP(cell[CELL(s, 0)] + cell[CELL(s, 1)] + NETMOD - baseline[s])
#define NET(s) WRAP(SINCE_FOLD(s) + (ovfClosed[s] -> 0 : ovfCount[s]))
/* what counts where, in each phase (as rundown_rseq.pml's Monitor) */
#define PHASE_INV(s) \
    ((phase[s] == PH_OPEN && !shClosed[s] && !FLAG(s) && shCount[s] == 0 && NET(s) == held[s]) || \
     (phase[s] == PH_CLOSING && shClosed[s] && \
      WRAP(shCount[s] + NETMOD * 4 - BIAS + SINCE_FOLD(s) + (ovfClosed[s] -> foldTotal : ovfCount[s])) == held[s]) || \
     (phase[s] == PH_FOLDED && shClosed[s] && FLAG(s) && NET(s) == 0 && shCount[s] + foldTotal == BIAS + held[s]) || \
     (phase[s] == PH_DOWN && shClosed[s] && FLAG(s) && NET(s) == 0 && shCount[s] == held[s]) || \
     (phase[s] == PH_OPENING && shClosed[s] && shCount[s] == BIAS && NET(s) == held[s] && \
      (!ovfClosed[s] || held[s] == 0)))
#define BUSY(s) (phase[s] == PH_CLOSING || phase[s] == PH_FOLDED || phase[s] == PH_OPENING)
#define COUNT_INV(s) (PHASE_INV(s) && BUSY(s) == (shClosed[s] && shCount[s] >= FIP))
#define COUNT_INVARIANT (COUNT_INV(0) && COUNT_INV(1) && EXCLUSIVE)
#define VALUE_INVARIANT (RETIRING || value[SLOT_OF(pubver)] == VAL_OF(pubver) + 1)

proctype Monitor() {
end:
    atomic {
        !(COUNT_INVARIANT && VALUE_INVARIANT) ->
            CHECK(P_COUNTS, COUNT_INVARIANT);
            CHECK(P_CURRENT, VALUE_INVARIANT)
    }
}

proctype Quiescence() {
    byte i;
end:
    finished == NREADERS + 1;
    CHECK(P_COUNTS, NO_SECTION && held[0] == 0 && held[1] == 0 && NET(0) == 0 && NET(1) == 0);
#if RETIRE
    CHECK(P_COUNTS, COMPLETED(0) && COMPLETED(1) && value[0] == 0 && value[1] == 0);
    for (i : 0 .. NREPL) {
        CHECK(P_COUNTS, handed[i] == 1)
    }
#else
    CHECK(P_COUNTS, COMPLETED((NREPL - 1) & 1) && phase[NREPL & 1] == PH_OPEN && value[NREPL & 1] == NREPL + 1);
    for (i : 0 .. NREPL - 1) {
        CHECK(P_COUNTS, handed[i] == 1)
    }
    CHECK(P_COUNTS, handed[NREPL] == 0)
#endif
}

/* ---------------------------------------------------------------- liveness (pan -a -f -N everyone_finishes) */
/* Every wait returns and every reader finishes (after the retirement at the latest), under weak fairness. Readers
 * can abort one another's sections forever, but that never holds the writer up: while it waits for ctr[o], the flag
 * of ctr[o] is set, so a reader inside ctr[o] releases through the shared word without a section that could be
 * aborted (the default steps read the flag at the section's start); once ctr[o] has completed the writer is
 * continuously enabled; after the retirement every acquisition is refused at the flag or the overflow word. */
ltl everyone_finishes { <> (finished == NREADERS + 1) }

init {
    atomic {
        /* slot 0 holds value 0, ctr[0] open; slot 1 idle: ctr[1] closed and completed (its flag set) */
        value[0] = 1;
        ovfClosed[1] = 1; shClosed[1] = 1; phase[1] = PH_DOWN; begun[1] = 1;
        run Monitor(); run Quiescence();
        run Reader(0);
#if NREADERS >= 2
        run Reader(1);
#endif
#if NREADERS >= 3
        run Reader(2);
#endif
        run Writer();
    }
}
