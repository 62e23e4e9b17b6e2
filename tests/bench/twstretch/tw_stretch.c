// SPDX-License-Identifier: GPL-2.0
/*
 * tw_stretch: BENCHMARK ONLY. Makes every new TIME_WAIT entry live
 * @seconds instead of TCP_TIMEWAIT_LEN (60 s) on a stock kernel, so that a
 * test guest can hold tables of 100,000 and 1,000,000 entries: a TCG guest
 * creates only a few thousand entries per second, and a stock table holds
 * what was created in its last minute.
 *
 * The effect is the one the kernel itself produces when an in-window
 * segment re-arms an entry's timer (inet_twsk_reschedule()): the entry
 * expires later, and nothing else about it changes. It stands in for a
 * bench kernel rebuilt with a larger TCP_TIMEWAIT_LEN, at the cost of one
 * module instead of a kernel build; tests/bench/run loads it only for the
 * runs it labels "stretch".
 *
 * How: kprobes at the entry of the functions that arm an entry's timer
 * rewrite the timeout argument when it is exactly TCP_TIMEWAIT_LEN (a
 * FIN_WAIT2 timeout or an RTO-derived one is left alone):
 *   __inet_twsk_schedule(tw, timeo, rearm): every kernel; a new entry before
 *     6.10, and on all of them the re-arm that moves an entry from FIN_WAIT2
 *     to TIME_WAIT when the peer's FIN comes (inet_twsk_reschedule())
 *   inet_twsk_hashdance_schedule(tw, sk, hashinfo, timeo): a new entry,
 *     6.10 and later (where it does not call the exported function)
 * The arguments are read from and written to their x86-64 registers; a
 * kprobe's handler may change registers, and the probed function then runs
 * with them.
 */
#include <linux/atomic.h>
#include <linux/jiffies.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <net/tcp.h>

static unsigned int seconds = 900;
module_param(seconds, uint, 0444);
MODULE_PARM_DESC(seconds, "Lifetime of new TIME_WAIT entries, in seconds (60..86400, default 900)");

static atomic_long_t stretched = ATOMIC_LONG_INIT(0);

static int stretched_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&stretched));
}

static const struct kernel_param_ops stretched_ops = {
	.get = stretched_get,
};
module_param_cb(stretched, &stretched_ops, NULL, 0444);
MODULE_PARM_DESC(stretched, "Entries given the longer lifetime so far");

static int tw_stretch(unsigned long *timeo)
{
	if ((int)*timeo != TCP_TIMEWAIT_LEN)
		return 0;
	*timeo = (unsigned long)seconds * HZ;
	atomic_long_inc(&stretched);
	return 0;
}

/* __inet_twsk_schedule(tw, timeo, rearm): the 2nd argument */
static int tw_stretch_schedule(struct kprobe *p, struct pt_regs *regs)
{
	return tw_stretch(&regs->si);
}

/* inet_twsk_hashdance_schedule(tw, sk, hashinfo, timeo): the 4th */
static int tw_stretch_hashdance(struct kprobe *p, struct pt_regs *regs)
{
	return tw_stretch(&regs->cx);
}

static struct kprobe tw_stretch_kps[] = {
	{ .symbol_name = "__inet_twsk_schedule",
	  .pre_handler = tw_stretch_schedule },
	{ .symbol_name = "inet_twsk_hashdance_schedule",
	  .pre_handler = tw_stretch_hashdance },
};
static bool tw_stretch_registered[ARRAY_SIZE(tw_stretch_kps)];

static void tw_stretch_unregister(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tw_stretch_kps); i++)
		if (tw_stretch_registered[i])
			unregister_kprobe(&tw_stretch_kps[i]);
}

static int __init tw_stretch_init(void)
{
	unsigned int i;
	int err;

	if (!IS_ENABLED(CONFIG_X86_64))
		return -EOPNOTSUPP;
	seconds = clamp(seconds, 60U, 86400U);
	for (i = 0; i < ARRAY_SIZE(tw_stretch_kps); i++) {
		err = register_kprobe(&tw_stretch_kps[i]);
		/* the second one exists from 6.10 on only */
		if (err && i > 0 && (err == -ENOENT || err == -EINVAL))
			continue;
		if (err) {
			tw_stretch_unregister();
			return err;
		}
		tw_stretch_registered[i] = true;
		pr_info("tw_stretch: BENCHMARK ONLY: TIME_WAIT entries armed by %s live %u s\n",
			tw_stretch_kps[i].symbol_name, seconds);
	}
	return 0;
}

static void __exit tw_stretch_exit(void)
{
	tw_stretch_unregister();
	pr_info("tw_stretch: unloaded after stretching %ld entries\n",
		atomic_long_read(&stretched));
}

module_init(tw_stretch_init);
module_exit(tw_stretch_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Benchmark only: longer TIME_WAIT for new entries (twctl bench)");
