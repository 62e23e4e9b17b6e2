/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of the twctl module. The wire format lives in
 * include/uapi/linux/twctl.h; this header only joins the module's parts.
 */
#ifndef _TWCTL_H
#define _TWCTL_H

#include <linux/in6.h>
#include <linux/types.h>
#include <net/genetlink.h>
#include <linux/twctl.h>

struct inet_hashinfo;
struct net;
struct sock;
struct seq_file;

/*
 * A snapshot of one timewait entry, filled while a reference is held and
 * without the bucket lock. IPv4 addresses are kept in their IPv4-mapped
 * IPv6 form so that one prefix comparison serves both families.
 */
struct twctl_entry {
	struct in6_addr laddr;
	struct in6_addr raddr;
	u64 cookie;
	u16 lport;
	u16 rport;
	u8 family;
	u8 state;
	bool timestamps;
	u32 remaining_ms;
	u32 ts_recent;
	u32 ts_recent_age_ms;
	u32 snd_nxt;
	u32 rcv_nxt;
	int bound_if;
	u32 mark;
	u32 netns_ino;

	u32 age_ms;
	u8 age_source;		/* enum twctl_age_source */
	bool entry_stamped;	/* the kernel stamped its entry (6.14+) */
	u32 entry_stamp;	/* tw_entry_stamp: tcp_clock_ms() at entry */
	u8 rto_source;		/* enum twctl_rto_source */
	u32 rto_ms;
	u32 srtt_us;
	u32 recycle_after_ms;
	bool recycle_eligible;
	u8 recycle_reason;	/* enum twctl_recycle_reason */
	bool reuse_eligible;
	u8 reuse_reason;	/* enum twctl_reuse_reason */
};

/* entry.c */
void twctl_entry_fill_tuple(struct twctl_entry *e, const struct sock *sk);
struct twctl_env;
void twctl_entry_fill(struct twctl_entry *e, struct sock *sk);
void twctl_entry_fill_env(struct twctl_entry *e, struct sock *sk,
			  const struct twctl_env *env);
void twctl_entry_info_fill(struct twctl_entry_info *info,
			   const struct twctl_entry *e);
int twctl_entry_put(struct sk_buff *skb, const struct twctl_entry *e, u32 ext);

/* filter.c */
struct twctl_addr_filter {
	struct in6_addr addr;	/* IPv4 kept IPv4-mapped */
	u8 family;		/* 0 = no address filter */
	u8 plen;		/* in bits of @addr's own family */
};

struct twctl_filter {
	u32 states;
	u8 family;
	u16 lport_min, lport_max;
	u16 rport_min, rport_max;
	struct twctl_addr_filter laddr;
	struct twctl_addr_filter raddr;
	u32 remaining_min_ms, remaining_max_ms;
	u32 age_min_ms;
	u64 cookie;
	bool has_cookie;
	bool recycle_eligible;
	bool reuse_eligible;
	bool selects_all;	/* no criterion was given */
	bool tuple_selects_all;	/* no criterion on the tuple or state */
};

extern const struct nla_policy twctl_filter_policy[TWCTL_FILTER_A_MAX + 1];

void twctl_filter_init(struct twctl_filter *f);
int twctl_filter_parse(struct twctl_filter *f, const struct nlattr *nest,
		       struct netlink_ext_ack *extack);
bool twctl_filter_match_tuple(const struct twctl_filter *f,
			      const struct twctl_entry *e);
bool twctl_filter_match(const struct twctl_filter *f,
			const struct twctl_entry *e);
int twctl_filter_describe(const struct twctl_filter *f, char *buf, size_t len);
size_t twctl_filter_nlsize(void);
int twctl_filter_put(struct sk_buff *skb, int type, const struct twctl_filter *f);

/* walk.c */
enum twctl_visit {
	TWCTL_VISIT_NEXT,	/* done with this entry, reference released */
	TWCTL_VISIT_STOP,	/* stop; resume at this entry next time */
	TWCTL_VISIT_TAKEN,	/* the visitor consumed the reference */
};

typedef enum twctl_visit (*twctl_visit_fn)(struct sock *sk,
					   struct twctl_entry *e, void *arg);

struct twctl_walk {
	struct net *net;		/* only entries of this netns */
	const struct twctl_filter *filter;	/* NULL: every entry */
	unsigned int bucket;		/* resume point: bucket, ... */
	u64 anchor;			/* ... cookie of the last visited entry */
	unsigned int skip;		/* ... or selected entries to skip */
	bool lost;			/* a resume did not find its anchor */
	struct inet_hashinfo *hashinfo;	/* NULL: @net's table (tests set it) */
	/*
	 * Every netns (@net is then ignored): each distinct table once, the
	 * shared one first, then each netns's own table in net_cookie order;
	 * @table is the net_cookie of the table's owner, 0 for the shared one.
	 */
	bool all_netns;
	u64 table;
};

int twctl_walk(struct twctl_walk *w, twctl_visit_fn visit, void *arg);
unsigned int twctl_count(struct net *net);

/* dump.c, summary.c, kill.c: generic netlink handlers */
int twctl_entries_start(struct netlink_callback *cb);
int twctl_entries_dump(struct sk_buff *skb, struct netlink_callback *cb);
int twctl_entries_done(struct netlink_callback *cb);
u32 twctl_entries_ext(u32 requested, bool net_admin);
int twctl_summary_start(struct netlink_callback *cb);
int twctl_summary_dump(struct sk_buff *skb, struct netlink_callback *cb);
int twctl_summary_done(struct netlink_callback *cb);
int twctl_kill_doit(struct sk_buff *skb, struct genl_info *info);

/* summary.c: the aggregation, separate from netlink so KUnit can test it */
struct twctl_group {
	struct in6_addr raddr;
	u16 lport;
	u16 rport;
	u8 family;
	bool used;
	u32 netns_ino;
	u32 count;
	u32 max_age_ms;
	u32 min_remaining_ms;
	u32 eligible;
	u32 ephemeral;
};

struct twctl_groups {
	struct twctl_group *slots;
	unsigned int size;	/* power of two */
	unsigned int used;
	bool truncated;		/* a group beyond the cap was left out */
	u8 by;			/* enum twctl_group_by */
	u16 eph_lo, eph_hi;	/* ip_local_port_range, DEST only */
};

int twctl_groups_init(struct twctl_groups *g, u8 by, u16 eph_lo, u16 eph_hi);
int twctl_groups_add(struct twctl_groups *g, const struct twctl_entry *e);
int twctl_group_cmp(const struct twctl_group *a, const struct twctl_group *b);
u64 twctl_group_digest(const struct twctl_group *grp);
u64 twctl_groups_digest(const struct twctl_groups *g,
			const struct twctl_group *upto);
unsigned int twctl_groups_heapify(struct twctl_groups *g,
				  const struct twctl_group *after);
bool twctl_groups_pop(struct twctl_groups *g, unsigned int *n,
		      struct twctl_group *out);
unsigned int twctl_groups_finish(struct twctl_groups *g);
void twctl_groups_free(struct twctl_groups *g);
int twctl_summary_aggregate(struct twctl_walk *walk,
			    const struct twctl_filter *filter,
			    struct twctl_groups *g);

/* kill.c: the selection decision, separate so KUnit can test it */
struct twctl_kill_ctx {
	const struct twctl_filter *filter;
	u32 limit;
	bool dry_run;
	u32 matched;
	u32 killed;
};

enum twctl_kill_verdict {
	TWCTL_KILL_SKIP,	/* not selected */
	TWCTL_KILL_COUNT,	/* selected; dry run: count only */
	TWCTL_KILL_DO,		/* selected: kill it */
	TWCTL_KILL_DONE,	/* the limit is reached: stop */
};

enum twctl_kill_verdict twctl_kill_decide(struct twctl_kill_ctx *k,
					  const struct twctl_entry *e);

/* genl.c */
extern struct genl_family twctl_genl_family;
int twctl_genl_init(void);
void twctl_genl_exit(void);
extern const struct nla_policy twctl_entries_policy[TWCTL_A_MAX + 1];
extern const struct nla_policy twctl_summary_policy[TWCTL_A_MAX + 1];
extern const struct nla_policy twctl_kill_policy[TWCTL_A_MAX + 1];
int twctl_all_netns_allowed(const struct sk_buff *skb,
			    const struct nlattr *attr,
			    struct netlink_ext_ack *extack);
struct sk_buff *twctl_kill_event(struct net *net,
				 const struct twctl_kill_ctx *k);
void twctl_notify_kill(struct net *net, const struct twctl_kill_ctx *k);

/* capture.c: RTO, SRTT and entry time recorded on entry to TIME_WAIT */
struct twctl_capture {
	u32 rto_ms;
	u32 srtt_us;
	unsigned long entered;	/* jiffies */
	u32 hash;		/* sk_hash: the entry's bucket in its table */
	bool shared_table;	/* the table is the host-wide one */
};

int twctl_capture_init(void);
void twctl_capture_exit(void);
bool twctl_capture_active(void);
int twctl_capture_record(u64 cookie, const struct twctl_capture *cap);
bool twctl_capture_lookup(u64 cookie, struct twctl_capture *out);
void twctl_capture_forget(u64 cookie);
void twctl_capture_sync(void);
void twctl_capture_show(struct seq_file *m);
size_t twctl_capture_record_size(void);
/* The store behind the twctl_capture_*() calls; KUnit makes its own. */
struct twctl_store;
struct twctl_store *twctl_store_create(unsigned int max);
void twctl_store_destroy(struct twctl_store *s);
int twctl_store_record(struct twctl_store *s, u64 cookie,
		       const struct twctl_capture *cap);
bool twctl_store_lookup(struct twctl_store *s, u64 cookie,
			struct twctl_capture *out);
void twctl_store_forget(struct twctl_store *s, u64 cookie);
void twctl_store_sync(struct twctl_store *s);
unsigned int twctl_store_collect(struct twctl_store *s,
				 struct inet_hashinfo *shared,
				 unsigned long now, unsigned long min_age,
				 unsigned long *checked);
unsigned int twctl_store_count(struct twctl_store *s);
bool twctl_tw_alive(struct inet_hashinfo *hinfo, u32 hash, u64 cookie,
		    unsigned long *expires);

/* eligibility.c: pure decisions, no locking, no global state */
u32 twctl_recycle_after_ms(u32 rto_ms);
u32 twctl_jiffies_age_ms(unsigned long now, unsigned long then);
u32 twctl_timer_age_ms(u32 lifetime_ms, u32 remaining_ms);
u32 twctl_stamp_age_ms(u32 now_ms, u32 stamp_ms);

/* What the judgement of one entry depends on besides the entry itself. */
struct twctl_env {
	unsigned long now;	/* jiffies */
	u8 reuse_sysctl;	/* net.ipv4.tcp_tw_reuse: 0, 1, 2 */
	u32 reuse_delay_ms;	/* tcp_tw_reuse_delay, or 1000 */
	u32 fin_timeout_ms;	/* net.ipv4.tcp_fin_timeout */
	u32 now_ms;		/* twctl_clock_ms(): entry stamps' clock */
};

void twctl_env_get(const struct net *net, struct twctl_env *env);
void twctl_eligibility_fill(struct twctl_entry *e,
			    const struct twctl_capture *cap,
			    const struct twctl_env *env);

/* debugfs.c */
int twctl_debugfs_init(void);
void twctl_debugfs_exit(void);

/* stats.c: counters shown in debugfs "stats" */
enum twctl_stat {
	TWCTL_STAT_DUMPS,
	TWCTL_STAT_DUMPED,
	TWCTL_STAT_SUMMARIES,
	TWCTL_STAT_KILL_OPS,
	TWCTL_STAT_KILL_MATCHED,
	TWCTL_STAT_KILLED,
	TWCTL_STAT_CAPTURED,
	TWCTL_STAT_CAPTURE_DROPS,
	TWCTL_STAT_CAPTURE_FREED,
	TWCTL_STAT_CAPTURE_HITS,
	TWCTL_STAT_CAPTURE_MISSES,
	TWCTL_STAT_EVENT_DROPS,
	TWCTL_STAT_CAPTURE_OVERFLOWS,
	TWCTL_STAT_MAX
};

void twctl_stat_add(enum twctl_stat s, u64 n);
u64 twctl_stat_read(enum twctl_stat s);
void twctl_stats_show(struct seq_file *m);

#endif /* _TWCTL_H */
