// SPDX-License-Identifier: GPL-2.0
/*
 * Capture of RTO, SRTT and entry time when a socket enters TIME_WAIT.
 *
 * A timewait socket keeps neither the RTO nor the SRTT of the connection it
 * replaces, nor the time it was created (6.1 and 6.12 alike), yet the old
 * tcp_tw_recycle rule needs the RTO and the age. So the module records them
 * itself, at the one moment they are still there, and keys the record by the
 * socket cookie, which the timewait socket inherits.
 *
 * The hook is a kprobe on tcp_time_wait(), not the sock:inet_sock_set_state
 * tracepoint. At entry of tcp_time_wait() the full socket still has its
 * icsk_rto and srtt_us, and the timewait socket has not been allocated yet:
 * inet_twsk_alloc(), called next, copies sk->sk_cookie into it. The probe
 * therefore first makes sure the socket has a cookie (generating one if it
 * never had), and the timewait entry is born with that same cookie. The
 * tracepoint fires from tcp_done() at the end of tcp_time_wait(), when the
 * timewait socket already exists with whatever cookie the full socket had:
 * for a socket nobody asked the cookie of, that is 0, and the record could
 * never be matched. tcp_time_wait() is exported on every kernel we support,
 * so the probe point is stable; the state argument tells TIME_WAIT from
 * FIN_WAIT2-as-timewait (both are recorded).
 *
 * tcp_time_wait() may not create an entry at all: inet_twsk_alloc() refuses
 * when the netns's death row is full (net.ipv4.tcp_max_tw_buckets, the
 * "TCPTimeWaitOverflow" case) or the slab is exhausted. The probe makes the
 * same death-row test inet_twsk_alloc() is about to make and records
 * nothing when it would fail, so the store does not fill with records of
 * entries that never existed exactly while somebody debugs an overflow. The
 * two can disagree only when another entry of the same netns comes or goes
 * in between; a record of an entry that was never created is then freed by
 * the collector like any record of a vanished entry.
 *
 * The store is a hash table of records keyed by cookie. Cookies are unique
 * across network namespaces and never reused, so the cookie alone names an
 * entry. Each record is 48 bytes on 64-bit (at most, by a BUILD_BUG_ON
 * below; the KUnit case capture_record_size checks the slab object size),
 * from a kmem_cache; the number of records is bounded by the capture_max
 * module parameter, and records beyond it are dropped and counted. The
 * store serves every netns, so its default bound is not any netns's
 * tcp_max_tw_buckets (an admin may set the initial netns's to anything) but
 * the number of buckets of the host-wide TCP established hash, which the
 * kernel sizes to the memory at boot and which by default is twice the
 * tcp_max_tw_buckets of a netns using it (at most 48 bytes times that, e.g.
 * 12 MiB per 256 Ki). The bound
 * is kept with a percpu_counter, summed exactly when near the bound, so it
 * may be passed only by records added at the same moment, one per CPU.
 *
 * The close path does as little as it can: the probe allocates a record
 * (GFP_ATOMIC, from the kmem_cache), fills it and pushes it onto a lockless
 * per-CPU list of pending records: one cmpxchg on a CPU-local cache line, no
 * lock, no shared atomic, counters per CPU. Pending records enter the hash
 * table when somebody needs them: every lookup, forget and collection first
 * moves them in (a shared flag tells whether there is anything to move, and
 * the probe writes it only when it is clear). So a record captured before a
 * lookup starts is always found by it.
 *
 * Lookups are lockless (RCU): a record never changes once it is in the
 * table; a second record of the same cookie replaces the first one whole.
 * Writers (moving pending records in, forget, the collector) run in process
 * context under one of TWCTL_LOCKS bucket locks. An unlinked record is
 * retired, not freed: it goes onto a lockless list threaded through its
 * hlist pprev (which RCU readers never follow, so that costs no bytes), and
 * the collector frees what was retired before its pass after one
 * synchronize_rcu().
 *
 * Records whose entry is gone are freed by age, not by walking the entries.
 * A TIME_WAIT entry lives TCP_TIMEWAIT_LEN (60 s) unless an in-window FIN or
 * ACK re-arms its timer, and an orphaned FIN_WAIT2 one tcp_fin_timeout (60 s
 * by default). So a record younger than TWCTL_GC_AGE (60 s plus a margin)
 * almost always names a live entry and is left alone. A record older than
 * that is checked, one by one: the probe stored the socket's sk_hash, which
 * the timewait socket inherits and which names its bucket in the
 * established hash, so the check is a walk of that one bucket (under its
 * lock) looking for the cookie. Found: the entry was re-armed, the record
 * stays, and the check notes when the entry's timer is due and does not
 * look again before that. Not found: the record is freed. The check is
 * authoritative, so the age only decides when to look, never what is
 * freed. The work of a pass is therefore one look at each record plus one
 * bucket walk per record that is due, whatever the number of network
 * namespaces or the size of the established hash, and no pass takes
 * net_rwsem. When the store is full, an early pass checks every record
 * older than TWCTL_GC_GRACE instead.
 *
 * A netns with a table of its own (net.ipv4.tcp_child_ehash_entries) frees
 * that table when it dies, and a record cannot hold a reference to it
 * without keeping the netns alive. Records of entries in such tables carry
 * no table and are freed by age alone at TWCTL_GC_AGE: an entry there that
 * outlives that (re-armed, or a FIN_WAIT2 timeout above 60 s) is then shown
 * with a timer-derived age and an assumed RTO, as if never captured.
 *
 * Records of vanished entries are therefore freed: at once (after one grace
 * period) for a kill, which calls twctl_capture_forget() for each entry it
 * killed and twctl_capture_sync() once at its end; within
 * TWCTL_GC_AGE plus one collector interval of their capture otherwise; all
 * at module unload.
 */
#include <linux/bitops.h>
#include <linux/hash.h>
#include <linux/jiffies.h>
#include <linux/kprobes.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/percpu_counter.h>
#include <linux/preempt.h>
#include <linux/rculist.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sock_diag.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <net/inet_connection_sock.h>
#include <net/inet_hashtables.h>
#include <net/net_namespace.h>
#include <net/tcp.h>

#include "twctl.h"

static unsigned int twctl_capture_max;
module_param_named(capture_max, twctl_capture_max, uint, 0444);
MODULE_PARM_DESC(capture_max,
		 "Most entries whose RTO and entry time are kept, all netns together (default 0: the bucket count of the host-wide TCP established hash)");

static unsigned int twctl_capture_gc_ms = 5000;
module_param_named(capture_gc_ms, twctl_capture_gc_ms, uint, 0444);
MODULE_PARM_DESC(capture_gc_ms,
		 "Interval of the pass that frees records of vanished entries, in ms (100..600000, default 5000)");

#define TWCTL_GC_MIN_MS		100U
#define TWCTL_GC_MAX_MS		600000U

/* Below this age a record's entry is taken to be alive without looking. */
#define TWCTL_GC_AGE		(TCP_TIMEWAIT_LEN + 5 * HZ)

/*
 * Never checked below this age, even by an early pass: the probe runs before
 * the timewait socket is hashed, and in process context (a backlog processed
 * by release_sock()) the task could be preempted between the two.
 */
#define TWCTL_GC_GRACE		HZ

/* Bucket heads are 8 bytes: at most 512 KiB of them. */
#define TWCTL_BUCKET_BITS_MAX	16
#define TWCTL_BUCKET_BITS_MIN	4
/* Buckets share a fixed number of locks, as inet_ehash_locks do. */
#define TWCTL_LOCKS		256

/* twctl_rec.flags */
#define TWCTL_REC_SHARED	BIT(0)	/* @hash is a bucket of the shared table */
#define TWCTL_REC_RETIRED	BIT(1)	/* unlinked (set under the bucket lock) */

struct twctl_rec {
	union {
		struct hlist_node node;		/* in the table */
		struct {
			/* Kept intact: readers may still follow it. */
			struct hlist_node *reader_next;
			/*
			 * Pending (not in the table yet) or retired (out of
			 * it, waiting for a grace period): pprev's place.
			 */
			struct llist_node link;
		};
	};
	u64 cookie;
	unsigned long entered;	/* jiffies at entry of tcp_time_wait() */
	u32 rto_ms;
	u32 srtt_us;
	u32 hash;		/* sk_hash: the entry's ehash bucket */
	/*
	 * Seconds after @entered before which the collector need not look
	 * again: a check found the entry re-armed to expire then. Only the
	 * collector (one work item) reads or writes it; lookups never do.
	 */
	u16 recheck_s;
	u8 flags;
};

struct twctl_store {
	struct hlist_head *buckets;
	unsigned int bucket_bits;
	unsigned int max;
	spinlock_t locks[TWCTL_LOCKS];	/* guard the bucket chains */
	struct percpu_counter records;	/* pending, in the table or retired */
	struct llist_head __percpu *pending;
	unsigned long has_pending;	/* something may be pending */
	struct llist_head retired;
};

static struct kmem_cache *twctl_rec_cache;
static struct twctl_store *twctl_store;
/* The table every netns without one of its own uses. */
static struct inet_hashinfo *twctl_shared_hinfo;

static struct kprobe twctl_kp;
static bool twctl_kp_registered;

static void twctl_gc_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(twctl_gc_work, twctl_gc_work_fn);
static unsigned long twctl_gc_runs;
static unsigned long twctl_gc_checked;	/* old records looked up, all passes */
static unsigned long twctl_gc_last;	/* jiffies at the end of the last pass */
static unsigned long twctl_gc_kicked;	/* bit 0: an early pass is queued */

static unsigned int twctl_bucket(const struct twctl_store *s, u64 cookie)
{
	return hash_64(cookie, s->bucket_bits);
}

static spinlock_t *twctl_lock(struct twctl_store *s, unsigned int bucket)
{
	return &s->locks[bucket & (TWCTL_LOCKS - 1)];
}

/* Under the bucket's lock or rcu_read_lock(). */
static struct twctl_rec *twctl_find(struct twctl_store *s, unsigned int bucket,
				    u64 cookie)
{
	struct twctl_rec *rec;

	hlist_for_each_entry_rcu(rec, &s->buckets[bucket], node,
				 lockdep_is_held(twctl_lock(s, bucket)))
		if (rec->cookie == cookie)
			return rec;
	return NULL;
}

/* Under the bucket's lock: out of the table, freed after a grace period. */
static void twctl_retire(struct twctl_store *s, struct twctl_rec *rec)
{
	hlist_del_rcu(&rec->node);
	rec->flags |= TWCTL_REC_RETIRED;
	llist_add(&rec->link, &s->retired);
}

/*
 * Moves one pending record into the table. Of two records of one cookie the
 * later capture stays: pending lists are per CPU, so the drain order alone
 * does not tell which came last. (A socket enters TIME_WAIT once; two
 * records of one cookie come from callers of twctl_capture_record().)
 */
static void twctl_insert(struct twctl_store *s, struct twctl_rec *rec)
{
	unsigned int b = twctl_bucket(s, rec->cookie);
	struct twctl_rec *old;

	spin_lock_bh(twctl_lock(s, b));
	old = twctl_find(s, b, rec->cookie);
	if (old && time_after(old->entered, rec->entered)) {
		rec->flags |= TWCTL_REC_RETIRED;
		llist_add(&rec->link, &s->retired);
	} else if (old) {
		hlist_replace_rcu(&old->node, &rec->node);
		old->flags |= TWCTL_REC_RETIRED;
		llist_add(&old->link, &s->retired);
	} else {
		hlist_add_head_rcu(&rec->node, &s->buckets[b]);
	}
	spin_unlock_bh(twctl_lock(s, b));
}

/* Process context: every record pending so far is in the table after it. */
static void twctl_drain(struct twctl_store *s)
{
	struct llist_node *list;
	struct twctl_rec *rec, *tmp;
	int cpu;

	if (!READ_ONCE(s->has_pending))
		return;
	WRITE_ONCE(s->has_pending, 0);
	/* Pairs with the full barrier of llist_add() in the probe. */
	smp_mb();
	for_each_possible_cpu(cpu) {
		list = llist_del_all(per_cpu_ptr(s->pending, cpu));
		/* Oldest first, so that the newest record of a cookie wins. */
		list = llist_reverse_order(list);
		llist_for_each_entry_safe(rec, tmp, list, link)
			twctl_insert(s, rec);
	}
}

/* Frees what was retired before; process context, may sleep. */
static void twctl_free_retired(struct twctl_store *s)
{
	struct llist_node *list = llist_del_all(&s->retired);
	struct twctl_rec *rec, *tmp;
	s64 freed = 0;

	if (!list)
		return;
	synchronize_rcu();
	llist_for_each_entry_safe(rec, tmp, list, link) {
		kmem_cache_free(twctl_rec_cache, rec);
		freed++;
	}
	percpu_counter_sub(&s->records, freed);
	twctl_stat_add(TWCTL_STAT_CAPTURE_FREED, freed);
}

/* Asks for a collection now, at most once a second. Any context but NMI. */
static void twctl_gc_kick(void)
{
	if (time_before(jiffies, READ_ONCE(twctl_gc_last) + HZ))
		return;
	if (test_and_set_bit(0, &twctl_gc_kicked))
		return;
	mod_delayed_work(system_unbound_wq, &twctl_gc_work, 0);
}

/*
 * Stores what @cap says about the entry named @cookie; it replaces a record
 * of the same cookie captured earlier (@cap->entered) when it enters the
 * table. Returns -ENOSPC when
 * the store is full and -ENOMEM when no record could be allocated (both
 * counted as drops). Callable from any context but NMI; takes no lock.
 */
int twctl_store_record(struct twctl_store *s, u64 cookie,
		       const struct twctl_capture *cap)
{
	struct twctl_rec *rec;

	/*
	 * Far below the bound this reads the global count only; within a
	 * batch per CPU of it, it sums every CPU's count (under the counter's
	 * lock), so the bound holds but for adders passing this test at the
	 * same time, one record each.
	 */
	if (percpu_counter_compare(&s->records, s->max) >= 0) {
		twctl_stat_add(TWCTL_STAT_CAPTURE_DROPS, 1);
		if (s == twctl_store)
			twctl_gc_kick();
		return -ENOSPC;
	}
	rec = kmem_cache_alloc(twctl_rec_cache, GFP_ATOMIC | __GFP_NOWARN);
	if (!rec) {
		twctl_stat_add(TWCTL_STAT_CAPTURE_DROPS, 1);
		return -ENOMEM;
	}
	percpu_counter_inc(&s->records);
	rec->cookie = cookie;
	rec->entered = cap->entered;
	rec->rto_ms = cap->rto_ms;
	rec->srtt_us = cap->srtt_us;
	rec->hash = cap->hash;
	rec->recheck_s = 0;
	rec->flags = cap->shared_table ? TWCTL_REC_SHARED : 0;
	/*
	 * Any CPU's list would do (llist_add() is safe against other adders
	 * and against llist_del_all()); this CPU's is merely uncontended.
	 */
	llist_add(&rec->link, raw_cpu_ptr(s->pending));
	if (!READ_ONCE(s->has_pending))
		WRITE_ONCE(s->has_pending, 1);
	twctl_stat_add(TWCTL_STAT_CAPTURED, 1);
	return 0;
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_store_record);

/*
 * Any context but hard interrupts, also under an ehash bucket lock: no lock
 * of the store is ever held while an ehash lock is taken (the collector
 * looks entries up with none of them held).
 */
bool twctl_store_lookup(struct twctl_store *s, u64 cookie,
			struct twctl_capture *out)
{
	struct twctl_rec *rec;
	bool found = false;

	twctl_drain(s);
	rcu_read_lock();
	rec = twctl_find(s, twctl_bucket(s, cookie), cookie);
	if (rec) {
		out->entered = rec->entered;
		out->rto_ms = rec->rto_ms;
		out->srtt_us = rec->srtt_us;
		out->hash = rec->hash;
		out->shared_table = rec->flags & TWCTL_REC_SHARED;
		found = true;
	}
	rcu_read_unlock();
	return found;
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_store_lookup);

/*
 * The record goes at once; its memory with the next twctl_store_sync() or
 * collection.
 */
void twctl_store_forget(struct twctl_store *s, u64 cookie)
{
	unsigned int b = twctl_bucket(s, cookie);
	struct twctl_rec *rec;

	twctl_drain(s);
	spin_lock_bh(twctl_lock(s, b));
	rec = twctl_find(s, b, cookie);
	if (rec)
		twctl_retire(s, rec);
	spin_unlock_bh(twctl_lock(s, b));
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_store_forget);

/*
 * Frees what was forgotten (or retired) before, after one grace period for
 * all of it: a kill forgets each entry, then syncs once. Process context.
 */
void twctl_store_sync(struct twctl_store *s)
{
	twctl_free_retired(s);
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_store_sync);

/*
 * Is the timewait entry named @cookie in bucket @hash of @hinfo? The bucket
 * lock makes the answer exact at the time it is held: an entry is linked
 * into its bucket, with its cookie already set, under that lock. If it is
 * and @expires is not NULL, *@expires gets the jiffies its timer is set for.
 */
bool twctl_tw_alive(struct inet_hashinfo *hinfo, u32 hash, u64 cookie,
		    unsigned long *expires)
{
	struct inet_ehash_bucket *head = inet_ehash_bucket(hinfo, hash);
	spinlock_t *lock = inet_ehash_lockp(hinfo, hash);
	struct hlist_nulls_node *node;
	bool alive = false;
	struct sock *sk;

	spin_lock_bh(lock);
	sk_nulls_for_each(sk, node, &head->chain) {
		if (sk->sk_state == TCP_TIME_WAIT &&
		    atomic64_read(&sk->sk_cookie) == cookie) {
			alive = true;
			if (expires)
				*expires = READ_ONCE(inet_twsk(sk)->tw_timer.expires);
			break;
		}
	}
	spin_unlock_bh(lock);
	return alive;
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_tw_alive);

/*
 * A check at @now found @rec's entry alive with its timer set for @expires.
 * If that is ahead, the collector need not look before it is due: note one
 * second past it (a timer may fire a little late), at most U16_MAX s after
 * the capture. An entry re-armed again by then is simply checked again; a
 * timer already due leaves the record to the next pass.
 */
static void twctl_rec_recheck_after(struct twctl_rec *rec, unsigned long now,
				    unsigned long expires)
{
	if (!time_after(expires, now))
		return;
	WRITE_ONCE(rec->recheck_s,
		   min_t(unsigned long, (expires - rec->entered) / HZ + 1,
			 U16_MAX));
}

/*
 * One collection over @s at time @now: every record made at least @min_age
 * ago (TWCTL_GC_AGE for records without a table) whose entry is not in
 * @shared any more is retired, then what was retired before is freed. A
 * record whose entry was found alive is not looked at again before that
 * entry's timer is due, so entries that live long (re-armed timers) cost
 * one look per expiry, not one per pass. Returns the number of records
 * retired by this pass; adds the number of lookups to *@checked. Process
 * context; takes no namespace lock; one caller at a time (the work item,
 * or a KUnit case on a store of its own).
 */
unsigned int twctl_store_collect(struct twctl_store *s,
				 struct inet_hashinfo *shared,
				 unsigned long now, unsigned long min_age,
				 unsigned long *checked)
{
	unsigned int b, n = 1U << s->bucket_bits, retired = 0;
	struct twctl_rec *rec;

	min_age = max_t(unsigned long, min_age, TWCTL_GC_GRACE);
	twctl_drain(s);
	for (b = 0; b < n; b++) {
		if (hlist_empty(&s->buckets[b]))
			goto next;
		rcu_read_lock();
		hlist_for_each_entry_rcu(rec, &s->buckets[b], node) {
			bool shared_rec = rec->flags & TWCTL_REC_SHARED;
			unsigned long age, expires = now;

			age = shared_rec ?
			      max_t(unsigned long, min_age,
				    (unsigned long)READ_ONCE(rec->recheck_s) * HZ) :
			      TWCTL_GC_AGE;
			if (time_before(now, rec->entered + age))
				continue;
			if (shared_rec) {
				(*checked)++;
				if (twctl_tw_alive(shared, rec->hash,
						   rec->cookie, &expires)) {
					twctl_rec_recheck_after(rec, now,
								expires);
					continue;
				}
			}
			spin_lock_bh(twctl_lock(s, b));
			/* forget() or a replacement may have come first. */
			if (!(rec->flags & TWCTL_REC_RETIRED)) {
				twctl_retire(s, rec);
				retired++;
			}
			spin_unlock_bh(twctl_lock(s, b));
		}
		rcu_read_unlock();
next:
		if (!(b % TWCTL_LOCKS))
			cond_resched();
	}
	twctl_free_retired(s);
	return retired;
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_store_collect);

unsigned int twctl_store_count(struct twctl_store *s)
{
	s64 n = percpu_counter_sum(&s->records);

	return n > 0 ? n : 0;
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_store_count);

/*
 * The kprobe pre-handler, at entry of
 *	void tcp_time_wait(struct sock *sk, int state, int timeo);
 * with the socket locked, preemption disabled, in softirq or process context.
 */
static int twctl_tcp_time_wait_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct sock *sk = (struct sock *)regs_get_kernel_argument(regs, 0);
	int state = (int)regs_get_kernel_argument(regs, 1);
	const struct inet_timewait_death_row *dr;
	struct twctl_capture cap;
	u32 cookie[2];

	if (state != TCP_TIME_WAIT && state != TCP_FIN_WAIT2)
		return 0;
	/*
	 * A kprobe that is neither ftrace-based nor optimised yet runs from the
	 * int3 trap, which x86 treats as an NMI: no allocation there. Debian
	 * kernels put this probe on ftrace; debug kernels without ftrace
	 * optimise it a few jiffies after registration.
	 */
	if (unlikely(in_nmi())) {
		twctl_stat_add(TWCTL_STAT_CAPTURE_DROPS, 1);
		return 0;
	}

	/* inet_twsk_alloc()'s own test: a full death row creates no entry. */
	dr = &sock_net(sk)->ipv4.tcp_death_row;
	if (twctl_death_row_full(dr)) {
		twctl_stat_add(TWCTL_STAT_CAPTURE_OVERFLOWS, 1);
		return 0;
	}

	/* Before inet_twsk_alloc() copies sk_cookie into the timewait sock. */
	sock_diag_save_cookie(sk, cookie);
	cap.rto_ms = jiffies_to_msecs(READ_ONCE(inet_csk(sk)->icsk_rto));
	cap.srtt_us = READ_ONCE(tcp_sk(sk)->srtt_us) >> 3;
	cap.entered = jiffies;
	/* inet_twsk_alloc() copies sk_hash too: the entry's bucket. */
	cap.hash = sk->sk_hash;
	cap.shared_table = dr->hashinfo == twctl_shared_hinfo;
	twctl_store_record(twctl_store, (u64)cookie[1] << 32 | cookie[0], &cap);
	return 0;
}

/*
 * The module's store. Records made by hand (KUnit) carry no table unless
 * the caller says so, and are then freed by age.
 */
int twctl_capture_record(u64 cookie, const struct twctl_capture *cap)
{
	if (!twctl_store)
		return -ENODEV;
	return twctl_store_record(twctl_store, cookie, cap);
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_capture_record);

bool twctl_capture_lookup(u64 cookie, struct twctl_capture *out)
{
	bool found;

	if (!twctl_store)
		return false;
	found = twctl_store_lookup(twctl_store, cookie, out);
	twctl_stat_add(found ? TWCTL_STAT_CAPTURE_HITS :
			       TWCTL_STAT_CAPTURE_MISSES, 1);
	return found;
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_capture_lookup);

void twctl_capture_forget(u64 cookie)
{
	if (twctl_store)
		twctl_store_forget(twctl_store, cookie);
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_capture_forget);

void twctl_capture_sync(void)
{
	if (twctl_store)
		twctl_store_sync(twctl_store);
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_capture_sync);

static void twctl_gc_work_fn(struct work_struct *work)
{
	bool early = test_and_clear_bit(0, &twctl_gc_kicked);
	unsigned long checked = 0;

	twctl_store_collect(twctl_store, twctl_shared_hinfo, jiffies,
			    early ? TWCTL_GC_GRACE : TWCTL_GC_AGE, &checked);
	WRITE_ONCE(twctl_gc_checked, twctl_gc_checked + checked);
	WRITE_ONCE(twctl_gc_runs, twctl_gc_runs + 1);
	WRITE_ONCE(twctl_gc_last, jiffies);
	queue_delayed_work(system_unbound_wq, &twctl_gc_work,
			   msecs_to_jiffies(twctl_capture_gc_ms));
}

/*
 * Frees the store and every record in it. Nothing may use it any more: no
 * probe, no collector, no reader (the RCU grace period covers the last
 * readers that may still be leaving a lookup).
 */
void twctl_store_destroy(struct twctl_store *s)
{
	unsigned int b, n;
	struct twctl_rec *rec;
	struct hlist_node *tmp;
	s64 freed = 0;

	if (!s)
		return;
	n = 1U << s->bucket_bits;
	twctl_drain(s);
	synchronize_rcu();
	for (b = 0; b < n; b++) {
		hlist_for_each_entry_safe(rec, tmp, &s->buckets[b], node) {
			hlist_del(&rec->node);
			kmem_cache_free(twctl_rec_cache, rec);
			freed++;
		}
	}
	percpu_counter_sub(&s->records, freed);
	twctl_stat_add(TWCTL_STAT_CAPTURE_FREED, freed);
	twctl_free_retired(s);
	WARN_ON_ONCE(percpu_counter_sum(&s->records));
	percpu_counter_destroy(&s->records);
	free_percpu(s->pending);
	kvfree(s->buckets);
	kfree(s);
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_store_destroy);

/* A store of at most @max records; NULL if out of memory. */
struct twctl_store *twctl_store_create(unsigned int max)
{
	struct twctl_store *s;
	unsigned int i, n;
	int cpu;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return NULL;
	s->max = max;
	n = clamp_t(unsigned int, max, 1U << TWCTL_BUCKET_BITS_MIN,
		    1U << TWCTL_BUCKET_BITS_MAX);
	s->bucket_bits = order_base_2(n);
	s->buckets = kvcalloc(1U << s->bucket_bits, sizeof(*s->buckets),
			      GFP_KERNEL);
	s->pending = alloc_percpu(struct llist_head);
	if (!s->buckets || !s->pending ||
	    percpu_counter_init(&s->records, 0, GFP_KERNEL)) {
		free_percpu(s->pending);
		kvfree(s->buckets);
		kfree(s);
		return NULL;
	}
	for (i = 0; i < TWCTL_LOCKS; i++)
		spin_lock_init(&s->locks[i]);
	for_each_possible_cpu(cpu)
		init_llist_head(per_cpu_ptr(s->pending, cpu));
	init_llist_head(&s->retired);
	return s;
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_store_create);

size_t twctl_capture_record_size(void)
{
	return twctl_rec_cache ? kmem_cache_size(twctl_rec_cache) : 0;
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_capture_record_size);

int twctl_capture_init(void)
{
	int err;

	/* The memory figure of the top comment (48 on 64-bit, less on 32). */
	BUILD_BUG_ON(sizeof(struct twctl_rec) > 48);
	BUILD_BUG_ON(offsetof(struct twctl_rec, link) !=
		     offsetof(struct twctl_rec, node.pprev));
	BUILD_BUG_ON(offsetof(struct twctl_rec, reader_next) !=
		     offsetof(struct twctl_rec, node.next));

	twctl_shared_hinfo = init_net.ipv4.tcp_death_row.hashinfo;
	if (!twctl_capture_max)
		twctl_capture_max = twctl_shared_hinfo->ehash_mask + 1;
	twctl_capture_gc_ms = clamp(twctl_capture_gc_ms, TWCTL_GC_MIN_MS,
				    TWCTL_GC_MAX_MS);
	twctl_gc_last = jiffies;

	twctl_rec_cache = kmem_cache_create("twctl_capture",
					    sizeof(struct twctl_rec), 0, 0,
					    NULL);
	if (!twctl_rec_cache)
		return -ENOMEM;
	twctl_store = twctl_store_create(twctl_capture_max);
	if (!twctl_store) {
		kmem_cache_destroy(twctl_rec_cache);
		twctl_rec_cache = NULL;
		return -ENOMEM;
	}

	twctl_kp.symbol_name = "tcp_time_wait";
	twctl_kp.pre_handler = twctl_tcp_time_wait_pre;
	err = register_kprobe(&twctl_kp);
	if (err) {
		pr_info("twctl: no RTO capture (kprobe on tcp_time_wait: %d); ages come from timers, RTOs are assumed\n",
			err);
		twctl_store_destroy(twctl_store);
		twctl_store = NULL;
		return 0;
	}
	WRITE_ONCE(twctl_kp_registered, true);
	queue_delayed_work(system_unbound_wq, &twctl_gc_work,
			   msecs_to_jiffies(twctl_capture_gc_ms));
	return 0;
}

/*
 * Order matters: unregister_kprobe() returns only once no handler runs any
 * more, so no record can be added after it; then the collector is stopped
 * (cancel_delayed_work_sync() also defeats its re-queueing and the probe's
 * early kicks), and only then are the records and their cache freed.
 */
void twctl_capture_exit(void)
{
	if (twctl_kp_registered) {
		unregister_kprobe(&twctl_kp);
		WRITE_ONCE(twctl_kp_registered, false);
	}
	cancel_delayed_work_sync(&twctl_gc_work);
	twctl_store_destroy(twctl_store);
	twctl_store = NULL;
	kmem_cache_destroy(twctl_rec_cache);
	twctl_rec_cache = NULL;
}

bool twctl_capture_active(void)
{
	return READ_ONCE(twctl_kp_registered);
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_capture_active);

void twctl_capture_show(struct seq_file *m)
{
	bool active = twctl_capture_active();

	seq_printf(m, "capture_active %d\n", active);
	seq_printf(m, "capture_records %u\n",
		   twctl_store ? twctl_store_count(twctl_store) : 0);
	seq_printf(m, "capture_max %u\n", twctl_capture_max);
	seq_printf(m, "capture_record_bytes %zu\n", sizeof(struct twctl_rec));
	seq_printf(m, "capture_gc_ms %u\n", twctl_capture_gc_ms);
	seq_printf(m, "capture_gc_runs %lu\n", READ_ONCE(twctl_gc_runs));
	seq_printf(m, "capture_gc_checked %lu\n", READ_ONCE(twctl_gc_checked));
	seq_printf(m, "capture_probe_missed %lu\n",
		   active ? twctl_kp.nmissed : 0);
}
