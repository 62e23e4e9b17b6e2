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
 * How: a kprobe at the entry of the function that arms a new entry's timer
 * rewrites its timeout argument when that is exactly TCP_TIMEWAIT_LEN (a
 * FIN_WAIT2 timeout or an RTO-derived one is left alone):
 *   6.10 and later: inet_twsk_hashdance_schedule(tw, sk, hashinfo, timeo)
 *   before:         __inet_twsk_schedule(tw, timeo, rearm), rearm false
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

static bool new_style;	/* the probe is on inet_twsk_hashdance_schedule() */

static int tw_stretch_pre(struct kprobe *p, struct pt_regs *regs)
{
	unsigned long *timeo = new_style ? &regs->cx : &regs->si;

	/* __inet_twsk_schedule(): only a new entry, not a re-arm */
	if (!new_style && (regs->dx & 0xff))
		return 0;
	if ((int)*timeo != TCP_TIMEWAIT_LEN)
		return 0;
	*timeo = (unsigned long)seconds * HZ;
	atomic_long_inc(&stretched);
	return 0;
}

static struct kprobe tw_stretch_kp = { .pre_handler = tw_stretch_pre };

static int __init tw_stretch_init(void)
{
	int err;

	if (!IS_ENABLED(CONFIG_X86_64))
		return -EOPNOTSUPP;
	seconds = clamp(seconds, 60U, 86400U);
	tw_stretch_kp.symbol_name = "inet_twsk_hashdance_schedule";
	new_style = true;
	err = register_kprobe(&tw_stretch_kp);
	if (err == -ENOENT || err == -EINVAL) {
		memset(&tw_stretch_kp, 0, sizeof(tw_stretch_kp));
		tw_stretch_kp.pre_handler = tw_stretch_pre;
		tw_stretch_kp.symbol_name = "__inet_twsk_schedule";
		new_style = false;
		err = register_kprobe(&tw_stretch_kp);
	}
	if (err)
		return err;
	pr_info("tw_stretch: BENCHMARK ONLY: new TIME_WAIT entries live %u s (probe on %s)\n",
		seconds, tw_stretch_kp.symbol_name);
	return 0;
}

static void __exit tw_stretch_exit(void)
{
	unregister_kprobe(&tw_stretch_kp);
	pr_info("tw_stretch: unloaded after stretching %ld entries\n",
		atomic_long_read(&stretched));
}

module_init(tw_stretch_init);
module_exit(tw_stretch_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Benchmark only: longer TIME_WAIT for new entries (twctl bench)");
