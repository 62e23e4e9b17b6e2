// SPDX-License-Identifier: GPL-2.0
/*
 * TWCTL_CMD_KILL: one pass over the caller's netns, killing every selected
 * entry exactly as tcp_abort() kills a timewait socket. The walker hands us
 * each entry with a reference held and the bucket lock released, which is
 * what inet_twsk_deschedule_put() needs: it unhashes the entry under that
 * lock itself (in inet_twsk_kill(), on 6.1 already; 6.12 also takes it
 * before cancelling the timer).
 */
#include <linux/bottom_half.h>
#include <linux/cred.h>
#include <linux/ratelimit.h>
#include <linux/sched.h>
#include <net/genetlink.h>
#include <net/inet_timewait_sock.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "twctl.h"

/*
 * Audit lines have a budget of their own, so that other modules' messages
 * cannot starve them and an operator's burst of kills is logged in full;
 * only a runaway loop gets cut, and the events group still sees every kill.
 */
static DEFINE_RATELIMIT_STATE(twctl_audit_rs, 5 * HZ, 100);

enum twctl_kill_verdict twctl_kill_decide(struct twctl_kill_ctx *k,
					  const struct twctl_entry *e)
{
	if (k->matched >= k->limit)
		return TWCTL_KILL_DONE;
	if (!twctl_filter_match(k->filter, e))
		return TWCTL_KILL_SKIP;
	k->matched++;
	return k->dry_run ? TWCTL_KILL_COUNT : TWCTL_KILL_DO;
}
EXPORT_SYMBOL_FOR_TWCTL_TESTS(twctl_kill_decide);

/*
 * Consumes the caller's reference. Returns false if the entry's timer had
 * already fired (it expired on its own), true otherwise.
 *
 * True is an upper bound on "this call ended the entry": the timer can fire
 * between timer_pending() and the cancel inside inet_twsk_deschedule_put(),
 * which then does nothing. Only that function sees who won (the result of
 * del_timer_sync()/timer_shutdown_sync()) and it does not return it;
 * inet_twsk_kill(), which the winner runs, is static. So KILLED may exceed
 * the entries this call removed by those that expired in that window of a
 * few instructions, as the uapi header says.
 */
static bool twctl_kill_one(struct sock *sk)
{
	struct inet_timewait_sock *tw = inet_twsk(sk);
	bool pending;

	/* The walker only hands out timewait sockets; never a full one. */
	if (WARN_ON_ONCE(sk->sk_state != TCP_TIME_WAIT)) {
		sock_gen_put(sk);
		return false;
	}
	local_bh_disable();
	pending = timer_pending(&tw->tw_timer);
	inet_twsk_deschedule_put(tw);
	local_bh_enable();
	return pending;
}

static enum twctl_visit twctl_kill_visit(struct sock *sk, struct twctl_entry *e,
					 void *data)
{
	struct twctl_kill_ctx *k = data;

	switch (twctl_kill_decide(k, e)) {
	case TWCTL_KILL_DONE:
		return TWCTL_VISIT_STOP;
	case TWCTL_KILL_SKIP:
	case TWCTL_KILL_COUNT:
		return TWCTL_VISIT_NEXT;
	case TWCTL_KILL_DO:
		break;
	}
	if (twctl_kill_one(sk)) {
		k->killed++;
		twctl_capture_forget(e->cookie);
	}
	return TWCTL_VISIT_TAKEN;
}

int twctl_kill_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct twctl_walk walk = { .net = net };
	struct twctl_filter filter;
	struct twctl_kill_ctx k = { .filter = &filter, .limit = U32_MAX };
	struct sk_buff *msg;
	char desc[256];
	void *hdr;
	int err;

	err = twctl_filter_parse(&filter, info->attrs[TWCTL_A_FILTER],
				 info->extack);
	if (err)
		return err;
	if (info->attrs[TWCTL_A_LIMIT])
		k.limit = nla_get_u32(info->attrs[TWCTL_A_LIMIT]);
	k.dry_run = nla_get_flag(info->attrs[TWCTL_A_DRY_RUN]);

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	walk.filter = &filter;
	err = twctl_walk(&walk, twctl_kill_visit, &k);
	/* The records of what was killed: freed now, one grace period. */
	twctl_capture_sync();
	if (err < 0)
		goto fail;

	twctl_stat_add(TWCTL_STAT_KILL_OPS, 1);
	twctl_stat_add(TWCTL_STAT_KILL_MATCHED, k.matched);
	twctl_stat_add(TWCTL_STAT_KILLED, k.killed);
	if (!k.dry_run) {
		twctl_filter_describe(&filter, desc, sizeof(desc));
		if (__ratelimit(&twctl_audit_rs))
			pr_info("twctl: pid %d (%s) uid %u netns %u killed %u of %u matching entries%s, filter:%s\n",
				task_tgid_nr(current), current->comm,
				from_kuid(&init_user_ns, current_uid()),
				net->ns.inum, k.killed, k.matched,
				k.limit != U32_MAX ? " (limited)" : "", desc);
		twctl_notify_kill(net, &k);
	}

	hdr = genlmsg_put_reply(msg, info, &twctl_genl_family, 0,
				TWCTL_CMD_KILL);
	if (!hdr) {
		err = -EMSGSIZE;
		goto fail;
	}
	if (nla_put_u32(msg, TWCTL_A_MATCHED, k.matched) ||
	    nla_put_u32(msg, TWCTL_A_KILLED, k.killed) ||
	    (k.dry_run && nla_put_flag(msg, TWCTL_A_DRY_RUN))) {
		err = -EMSGSIZE;
		goto fail;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
fail:
	nlmsg_free(msg);
	return err;
}
