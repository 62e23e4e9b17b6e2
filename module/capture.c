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
 * entry. Each record is 48 bytes from a kmem_cache, allocated GFP_ATOMIC in
 * the probe; the number of records is bounded by the capture_max module
 * parameter, and records beyond it are dropped and counted. The store serves
 * every netns, so its default bound is not any netns's tcp_max_tw_buckets
 * (an admin may set the initial netns's to anything) but the number of
 * buckets of the host-wide TCP established hash, which the kernel sizes to
 * the memory at boot and which by default is twice the tcp_max_tw_buckets
 * of a netns using it (at most 48 bytes times that, e.g. 12 MiB per 256 Ki).
 *
 * Records whose entry is gone are freed three ways: kill calls
 * twctl_capture_forget() for what it killed; a periodic garbage collector
 * marks every record whose entry it finds in any netns and frees the rest;
 * module unload frees everything. The collector is also kicked early when
 * the store is full.
 */
#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/hash.h>
#include <linux/jiffies.h>
#include <linux/kprobes.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/preempt.h>
#include <linux/rwsem.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sock_diag.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <net/inet_connection_sock.h>
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

/*
 * A record younger than this at the start of a collection is never freed by
 * it. The probe runs before the timewait socket is hashed; in process context
 * (a backlog processed by release_sock()) the task could be preempted between
 * the two, and the collector's walk could pass the bucket in that window.
 */
#define TWCTL_GC_GRACE		HZ

/* Bucket heads are 8 bytes: at most 512 KiB of them. */
#define TWCTL_BUCKET_BITS_MAX	16
#define TWCTL_BUCKET_BITS_MIN	4
/* Buckets share a fixed number of locks, as inet_ehash_locks do. */
#define TWCTL_LOCKS		256

struct twctl_rec {
	struct hlist_node node;
	u64 cookie;
	unsigned long entered;	/* jiffies at entry of tcp_time_wait() */
	u32 rto_ms;
	u32 srtt_us;
	u32 seen;		/* last collection that found the entry alive */
};

/*
 * Who takes the locks: the probe, from softirq or from process context
 * (backlog processing, tcp_close()) with or without BHs disabled, always with
 * preemption disabled; lookups, forget and the collector from process
 * context. Interrupts are disabled while a lock is held: that is right in
 * every one of those contexts, and unlike spin_unlock_bh() it never runs
 * pending softirqs from inside the kprobe handler. No other lock is ever
 * taken under these, and they are never taken under the ehash bucket locks
 * (the walker calls us with those released).
 */
static spinlock_t twctl_locks[TWCTL_LOCKS];	/* guard the bucket chains */
static struct hlist_head *twctl_buckets;
static unsigned int twctl_bucket_bits;
static struct kmem_cache *twctl_rec_cache;
static atomic_t twctl_records = ATOMIC_INIT(0);

static struct kprobe twctl_kp;
static bool twctl_kp_registered;

static void twctl_gc_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(twctl_gc_work, twctl_gc_work_fn);
static u32 twctl_gc_gen;		/* written by the collector only */
static unsigned long twctl_gc_runs;
static unsigned long twctl_gc_last;	/* jiffies at the end of the last pass */
static unsigned long twctl_gc_kicked;	/* bit 0: an early pass is queued */
/* The task running the collector's walk: its lookups are not statistics. */
static struct task_struct *twctl_gc_task;

static unsigned int twctl_bucket(u64 cookie)
{
	return hash_64(cookie, twctl_bucket_bits);
}

static spinlock_t *twctl_lock(unsigned int bucket)
{
	return &twctl_locks[bucket & (TWCTL_LOCKS - 1)];
}

/* Under the bucket's lock. */
static struct twctl_rec *twctl_find(unsigned int bucket, u64 cookie)
{
	struct twctl_rec *rec;

	hlist_for_each_entry(rec, &twctl_buckets[bucket], node)
		if (rec->cookie == cookie)
			return rec;
	return NULL;
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
 * Stores what @cap says about the entry named @cookie, replacing an older
 * record of the same cookie. Returns -ENOSPC when the store is full and
 * -ENOMEM when no record could be allocated (both counted as drops), and
 * -ENODEV when capture is off. Callable from any context but NMI.
 */
int twctl_capture_record(u64 cookie, const struct twctl_capture *cap)
{
	struct twctl_rec *rec, *old;
	unsigned long flags;
	unsigned int b;

	if (!twctl_buckets)
		return -ENODEV;
	if (atomic_inc_return(&twctl_records) > READ_ONCE(twctl_capture_max)) {
		atomic_dec(&twctl_records);
		twctl_stat_add(TWCTL_STAT_CAPTURE_DROPS, 1);
		twctl_gc_kick();
		return -ENOSPC;
	}
	rec = kmem_cache_alloc(twctl_rec_cache, GFP_ATOMIC | __GFP_NOWARN);
	if (!rec) {
		atomic_dec(&twctl_records);
		twctl_stat_add(TWCTL_STAT_CAPTURE_DROPS, 1);
		return -ENOMEM;
	}
	rec->cookie = cookie;
	rec->entered = cap->entered;
	rec->rto_ms = cap->rto_ms;
	rec->srtt_us = cap->srtt_us;
	rec->seen = 0;

	b = twctl_bucket(cookie);
	spin_lock_irqsave(twctl_lock(b), flags);
	old = twctl_find(b, cookie);
	if (old) {
		old->entered = rec->entered;
		old->rto_ms = rec->rto_ms;
		old->srtt_us = rec->srtt_us;
	} else {
		hlist_add_head(&rec->node, &twctl_buckets[b]);
	}
	spin_unlock_irqrestore(twctl_lock(b), flags);

	if (old) {
		kmem_cache_free(twctl_rec_cache, rec);
		atomic_dec(&twctl_records);
	}
	twctl_stat_add(TWCTL_STAT_CAPTURED, 1);
	return 0;
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_capture_record);

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
	 * int3 trap, which x86 treats as an NMI: no locks, no allocation there.
	 * Debian kernels put this probe on ftrace; debug kernels without
	 * ftrace optimise it a few jiffies after registration.
	 */
	if (unlikely(in_nmi())) {
		twctl_stat_add(TWCTL_STAT_CAPTURE_DROPS, 1);
		return 0;
	}

	/* inet_twsk_alloc()'s own test: a full death row creates no entry. */
	dr = &sock_net(sk)->ipv4.tcp_death_row;
	if (refcount_read(&dr->tw_refcount) - 1 >=
	    READ_ONCE(dr->sysctl_max_tw_buckets)) {
		twctl_stat_add(TWCTL_STAT_CAPTURE_OVERFLOWS, 1);
		return 0;
	}

	/* Before inet_twsk_alloc() copies sk_cookie into the timewait sock. */
	sock_diag_save_cookie(sk, cookie);
	cap.rto_ms = jiffies_to_msecs(READ_ONCE(inet_csk(sk)->icsk_rto));
	cap.srtt_us = READ_ONCE(tcp_sk(sk)->srtt_us) >> 3;
	cap.entered = jiffies;
	twctl_capture_record((u64)cookie[1] << 32 | cookie[0], &cap);
	return 0;
}

bool twctl_capture_lookup(u64 cookie, struct twctl_capture *out)
{
	struct twctl_rec *rec;
	unsigned long flags;
	bool found = false;
	unsigned int b;

	if (!twctl_buckets)
		return false;
	b = twctl_bucket(cookie);
	spin_lock_irqsave(twctl_lock(b), flags);
	rec = twctl_find(b, cookie);
	if (rec) {
		out->entered = rec->entered;
		out->rto_ms = rec->rto_ms;
		out->srtt_us = rec->srtt_us;
		found = true;
	}
	spin_unlock_irqrestore(twctl_lock(b), flags);

	if (READ_ONCE(twctl_gc_task) != current)
		twctl_stat_add(found ? TWCTL_STAT_CAPTURE_HITS :
				       TWCTL_STAT_CAPTURE_MISSES, 1);
	return found;
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_capture_lookup);

void twctl_capture_forget(u64 cookie)
{
	struct twctl_rec *rec;
	unsigned long flags;
	unsigned int b;

	if (!twctl_buckets)
		return;
	b = twctl_bucket(cookie);
	spin_lock_irqsave(twctl_lock(b), flags);
	rec = twctl_find(b, cookie);
	if (rec)
		hlist_del(&rec->node);
	spin_unlock_irqrestore(twctl_lock(b), flags);

	if (rec) {
		kmem_cache_free(twctl_rec_cache, rec);
		atomic_dec(&twctl_records);
		twctl_stat_add(TWCTL_STAT_CAPTURE_FREED, 1);
	}
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_capture_forget);

/*
 * The collector's visitor. The walker has already looked the entry up (its
 * lookup is not counted, see twctl_capture_lookup()); this second, explicit
 * lookup marks the record as alive in generation *@arg. No lock is held
 * across the two, so nothing nests.
 */
static enum twctl_visit twctl_gc_visit(struct sock *sk, struct twctl_entry *e,
				       void *arg)
{
	u32 gen = *(u32 *)arg;
	struct twctl_rec *rec;
	unsigned long flags;
	unsigned int b;

	b = twctl_bucket(e->cookie);
	spin_lock_irqsave(twctl_lock(b), flags);
	rec = twctl_find(b, e->cookie);
	if (rec)
		rec->seen = gen;
	spin_unlock_irqrestore(twctl_lock(b), flags);
	return TWCTL_VISIT_NEXT;
}

/* Marks the records of every live entry of every netns; false if incomplete. */
static bool twctl_gc_mark(u32 gen)
{
	bool complete = true;
	struct net *net;

	WRITE_ONCE(twctl_gc_task, current);
	down_read(&net_rwsem);
	for_each_net(net) {
		struct twctl_walk w = { .net = net };

		/* A dying netns: its entries are being purged. */
		if (!maybe_get_net(net))
			continue;
		if (twctl_walk(&w, twctl_gc_visit, &gen) < 0)
			complete = false;
		put_net(net);
	}
	up_read(&net_rwsem);
	WRITE_ONCE(twctl_gc_task, NULL);
	return complete;
}

/* Frees the records not seen in @gen that were made before @before. */
static void twctl_gc_sweep(u32 gen, unsigned long before)
{
	unsigned int b, n = 1U << twctl_bucket_bits;
	struct twctl_rec *rec;
	struct hlist_node *tmp;
	unsigned long flags;
	u32 freed = 0;

	for (b = 0; b < n; b++) {
		/* Racy, but a record added meanwhile is too young to free. */
		if (hlist_empty(&twctl_buckets[b]))
			continue;
		spin_lock_irqsave(twctl_lock(b), flags);
		hlist_for_each_entry_safe(rec, tmp, &twctl_buckets[b], node) {
			if (rec->seen == gen || !time_before(rec->entered, before))
				continue;
			hlist_del(&rec->node);
			kmem_cache_free(twctl_rec_cache, rec);
			freed++;
		}
		spin_unlock_irqrestore(twctl_lock(b), flags);
		if (!(b % TWCTL_LOCKS))
			cond_resched();
	}
	atomic_sub(freed, &twctl_records);
	twctl_stat_add(TWCTL_STAT_CAPTURE_FREED, freed);
}

/*
 * One collection: mark, then sweep what was not marked. A record is freed
 * only if it was not seen in this pass AND was made before the pass began
 * (minus a grace period): an entry created while the walk runs may sit in a
 * bucket the walk has already passed, and its record must survive.
 */
static void twctl_gc_work_fn(struct work_struct *work)
{
	unsigned long start = jiffies;
	u32 gen;

	clear_bit(0, &twctl_gc_kicked);
	/* Nothing to free: spare every netns the walk. */
	if (atomic_read(&twctl_records)) {
		gen = ++twctl_gc_gen;
		if (!gen)	/* 0 is what new records hold */
			gen = ++twctl_gc_gen;
		if (twctl_gc_mark(gen))
			twctl_gc_sweep(gen, start - TWCTL_GC_GRACE);
		WRITE_ONCE(twctl_gc_runs, twctl_gc_runs + 1);
	}
	WRITE_ONCE(twctl_gc_last, jiffies);
	queue_delayed_work(system_unbound_wq, &twctl_gc_work,
			   msecs_to_jiffies(twctl_capture_gc_ms));
}

static void twctl_store_free(void)
{
	unsigned int b, n = 1U << twctl_bucket_bits;
	struct twctl_rec *rec;
	struct hlist_node *tmp;
	u32 freed = 0;

	if (twctl_buckets) {
		/* Nothing else runs any more: no probe, no collector, no user. */
		for (b = 0; b < n; b++) {
			hlist_for_each_entry_safe(rec, tmp, &twctl_buckets[b],
						  node) {
				hlist_del(&rec->node);
				kmem_cache_free(twctl_rec_cache, rec);
				freed++;
			}
		}
		atomic_sub(freed, &twctl_records);
		twctl_stat_add(TWCTL_STAT_CAPTURE_FREED, freed);
		kvfree(twctl_buckets);
		twctl_buckets = NULL;
	}
	kmem_cache_destroy(twctl_rec_cache);
	twctl_rec_cache = NULL;
}

static int twctl_store_alloc(void)
{
	unsigned int i, n;

	n = clamp_t(unsigned int, twctl_capture_max,
		    1U << TWCTL_BUCKET_BITS_MIN, 1U << TWCTL_BUCKET_BITS_MAX);
	twctl_bucket_bits = order_base_2(n);
	twctl_buckets = kvcalloc(1U << twctl_bucket_bits,
				 sizeof(*twctl_buckets), GFP_KERNEL);
	if (!twctl_buckets)
		return -ENOMEM;
	for (i = 0; i < TWCTL_LOCKS; i++)
		spin_lock_init(&twctl_locks[i]);
	twctl_rec_cache = kmem_cache_create("twctl_capture",
					    sizeof(struct twctl_rec), 0, 0,
					    NULL);
	if (!twctl_rec_cache) {
		twctl_store_free();
		return -ENOMEM;
	}
	return 0;
}

int twctl_capture_init(void)
{
	int err;

	BUILD_BUG_ON(sizeof(struct twctl_rec) > 64);

	/* The host-wide table: every netns without one of its own uses it. */
	if (!twctl_capture_max)
		twctl_capture_max = init_net.ipv4.tcp_death_row.hashinfo->ehash_mask + 1;
	twctl_capture_gc_ms = clamp(twctl_capture_gc_ms, TWCTL_GC_MIN_MS,
				    TWCTL_GC_MAX_MS);
	twctl_gc_last = jiffies;

	err = twctl_store_alloc();
	if (err)
		return err;

	twctl_kp.symbol_name = "tcp_time_wait";
	twctl_kp.pre_handler = twctl_tcp_time_wait_pre;
	err = register_kprobe(&twctl_kp);
	if (err) {
		pr_info("twctl: no RTO capture (kprobe on tcp_time_wait: %d); ages come from timers, RTOs are assumed\n",
			err);
		twctl_store_free();
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
	twctl_store_free();
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
	seq_printf(m, "capture_records %d\n", atomic_read(&twctl_records));
	seq_printf(m, "capture_max %u\n", twctl_capture_max);
	seq_printf(m, "capture_record_bytes %zu\n", sizeof(struct twctl_rec));
	seq_printf(m, "capture_gc_ms %u\n", twctl_capture_gc_ms);
	seq_printf(m, "capture_gc_runs %lu\n", READ_ONCE(twctl_gc_runs));
	seq_printf(m, "capture_probe_missed %lu\n",
		   active ? twctl_kp.nmissed : 0);
}
