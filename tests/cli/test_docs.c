// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_docs.c - the help text, the man page and the bash completion name
 * exactly the same commands, and for each command the same options.
 *
 * Each source is read the way a user meets it: the help from the built
 * binary (`twctl help`, `twctl help CMD`), the man page from its roff
 * source (the .TP tags of GLOBAL OPTIONS, of each command's .SS in
 * COMMANDS, and of FILTERS for the commands FILTERS names), and the
 * completion by running its _twctl function in bash and reading COMPREPLY.
 * Any difference fails with the names that differ.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define MAX_WORDS 64
#define MAX_SETS 16

/* A set of words: command names, or the options of one command. */
struct wset {
	char name[32];		/* "" for the command list, "(global)", a command */
	char *w[MAX_WORDS];
	int n;
};

struct doc {
	struct wset sets[MAX_SETS];
	int nsets;
	bool broken;		/* could not be read: say why once */
	char why[256];
};

static struct wset *set_get(struct doc *d, const char *name)
{
	int i;

	for (i = 0; i < d->nsets; i++)
		if (!strcmp(d->sets[i].name, name))
			return &d->sets[i];
	if (d->nsets == MAX_SETS)
		return NULL;
	snprintf(d->sets[d->nsets].name, sizeof(d->sets[0].name), "%s", name);
	return &d->sets[d->nsets++];
}

static void set_add(struct wset *s, const char *w, size_t len)
{
	int i;

	if (!s || !len)
		return;
	for (i = 0; i < s->n; i++)
		if (strlen(s->w[i]) == len && !strncmp(s->w[i], w, len))
			return;
	if (s->n < MAX_WORDS)
		s->w[s->n++] = strndup(w, len);
}

static void doc_free(struct doc *d)
{
	int i, j;

	for (i = 0; i < d->nsets; i++)
		for (j = 0; j < d->sets[i].n; j++)
			free(d->sets[i].w[j]);
	d->nsets = 0;
}

/* An option word: -X or --name, letters, digits and dashes. */
static size_t option_len(const char *p)
{
	size_t n = 0;

	if (p[0] != '-' || p[1] == '\0' || p[1] == ' ')
		return 0;
	n = p[1] == '-' ? 2 : 1;
	if (!isalnum((unsigned char)p[n]))
		return 0;
	while (isalnum((unsigned char)p[n]) || p[n] == '-')
		n++;
	return n;
}

/* Run a command line through /bin/sh and return its stdout (malloc'd). */
static char *capture(const char *cmdline)
{
	FILE *p = popen(cmdline, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!p)
		return NULL;
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
			if (!buf)
				break;
		}
		n = fread(buf + len, 1, cap - len - 1, p);
		if (!n)
			break;
		len += n;
	}
	if (pclose(p) != 0 || !buf) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

/* --- the help text ---------------------------------------------------- */

/* "  -j, --json   JSON" -> -j, --json: the words before the first gap. */
static void help_option_line(struct wset *s, const char *line)
{
	const char *end = strstr(line + 2, "  ");
	const char *p = line + 2;

	if (!end)
		end = line + strlen(line);
	while (p < end) {
		size_t n = option_len(p);

		if (!n)
			break;
		set_add(s, p, n);
		p += n;
		while (p < end && *p != ',')
			p++;		/* a value name: "--sort KEY" */
		if (p < end)
			p += 2;		/* ", " */
	}
}

static void help_options(struct wset *s, char *text)
{
	char *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, "  -", 3))
			help_option_line(s, line);
}

static void read_help(struct doc *d, const char *twctl)
{
	char cmd[4400], *text, *line, *save = NULL;
	struct wset *cmds = set_get(d, ""), *glob = set_get(d, "(global)");
	int section = 0, i;

	snprintf(cmd, sizeof(cmd), "'%s' help", twctl);
	text = capture(cmd);
	if (!text) {
		d->broken = true;
		snprintf(d->why, sizeof(d->why), "'%.200s' failed", cmd);
		return;
	}
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strcmp(line, "Commands:")) {
			section = 1;
			continue;
		}
		if (!strcmp(line, "Global options:")) {
			section = 2;
			continue;
		}
		if (strncmp(line, "  ", 2)) {
			section = 0;
			continue;
		}
		if (section == 1 && isalpha((unsigned char)line[2]))
			set_add(cmds, line + 2, strcspn(line + 2, " "));
		else if (section == 2 && line[2] == '-')
			help_option_line(glob, line);
	}
	free(text);

	for (i = 0; cmds && i < cmds->n; i++) {
		struct wset *s = set_get(d, cmds->w[i]);

		snprintf(cmd, sizeof(cmd), "'%s' help '%s'", twctl, cmds->w[i]);
		text = capture(cmd);
		if (!text) {
			d->broken = true;
			snprintf(d->why, sizeof(d->why), "'%.200s' failed", cmd);
			return;
		}
		help_options(s, text);
		free(text);
	}
}

/* --- the man page ----------------------------------------------------- */

/*
 * One roff line as plain text: \- is -, \fX and \(xx escapes and the
 * quotes of macro arguments go, and the macro name itself is dropped.
 */
static void roff_plain(char *out, size_t cap, const char *in)
{
	size_t n = 0;

	if (*in == '.')
		in += strcspn(in, " ");
	for (; *in && n + 1 < cap; in++) {
		if (in[0] == '\\' && in[1] == '-') {
			out[n++] = '-';
			in++;
		} else if (in[0] == '\\' && in[1] == 'f' && in[2]) {
			in += 2;
		} else if (in[0] == '\\' && in[1] == '(' && in[2] && in[3]) {
			in += 3;
		} else if (in[0] == '\\' && in[1] == '&') {
			in++;
		} else if (*in != '"') {
			out[n++] = *in;
		}
	}
	out[n] = '\0';
}

static void tag_options(struct wset *s, const char *plain)
{
	const char *p = plain;

	while (*p) {
		size_t n = (p == plain || p[-1] == ' ' || p[-1] == ',') ?
			   option_len(p) : 0;

		if (n) {
			set_add(s, p, n);
			p += n;
		} else {
			p++;
		}
	}
}

/*
 * The man page says in words which commands take what is not in their own
 * subsection; these sentences must be there, and are what is applied.
 */
#define MAN_OUTPUT_RULE "are also accepted after every command except help."
#define MAN_FILTER_RULE "take the same filters."

static void read_man(struct doc *d, const char *path)
{
	static const char *const output_opts[] = {
		"-j", "--json", "-s", "--script", "-p", "--pretty",
		"-H", "--no-header", "-n", "--numeric", "-h", "--help",
	};
	char line[1024], plain[1024], sect[64] = "", sub[32] = "";
	struct wset filters, *cmds = set_get(d, "");
	char filter_cmds[8][32];
	int nfilter_cmds = 0, i, j;
	bool tag = false, output_rule = false, filter_rule = false;
	bool filter_intro = false;
	FILE *f = fopen(path, "r");

	memset(&filters, 0, sizeof(filters));
	if (!f) {
		d->broken = true;
		snprintf(d->why, sizeof(d->why), "cannot open %.200s", path);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		roff_plain(plain, sizeof(plain), line);
		if (!strncmp(line, ".SH ", 4)) {
			snprintf(sect, sizeof(sect), "%.63s", plain + 1);
			sub[0] = '\0';
			filter_intro = !strcmp(sect, "FILTERS");
			continue;
		}
		if (!strcmp(sect, "GLOBAL OPTIONS") && strstr(plain, MAN_OUTPUT_RULE))
			output_rule = true;
		if (filter_intro) {
			if (!strncmp(line, ".TP", 3)) {
				filter_intro = false;
			} else if (strstr(plain, MAN_FILTER_RULE)) {
				filter_rule = true;
			} else if (!strncmp(line, ".B", 2) && nfilter_cmds < 8) {
				/* ".BR list ," / ".B kill": a command name */
				snprintf(filter_cmds[nfilter_cmds++],
					 sizeof(filter_cmds[0]), "%.*s",
					 (int)strcspn(plain + 1, " ,"), plain + 1);
			}
		}
		if (!strncmp(line, ".SS ", 4) && !strcmp(sect, "COMMANDS")) {
			snprintf(sub, sizeof(sub), "%.31s", plain + 1);
			set_add(cmds, sub, strlen(sub));
			set_get(d, sub);
			continue;
		}
		if (!strcmp(line, ".TP")) {
			tag = true;
			continue;
		}
		if (!tag)
			continue;
		tag = false;
		if (!strcmp(sect, "GLOBAL OPTIONS"))
			tag_options(set_get(d, "(global)"), plain);
		else if (!strcmp(sect, "COMMANDS") && *sub)
			tag_options(set_get(d, sub), plain);
		else if (!strcmp(sect, "FILTERS"))
			tag_options(&filters, plain);
	}
	fclose(f);

	if (!output_rule || !filter_rule) {
		d->broken = true;
		snprintf(d->why, sizeof(d->why),
			 "%.150s lacks the sentence \"%s\"", path,
			 !output_rule ? MAN_OUTPUT_RULE : MAN_FILTER_RULE);
	}
	for (i = 0; cmds && i < cmds->n; i++) {
		struct wset *s = set_get(d, cmds->w[i]);

		if (strcmp(cmds->w[i], "help"))
			for (j = 0; j < (int)(sizeof(output_opts) /
					      sizeof(output_opts[0])); j++)
				set_add(s, output_opts[j], strlen(output_opts[j]));
		for (j = 0; j < nfilter_cmds; j++) {
			int k;

			if (strcmp(filter_cmds[j], cmds->w[i]))
				continue;
			for (k = 0; k < filters.n; k++)
				set_add(s, filters.w[k], strlen(filters.w[k]));
		}
	}
	for (i = 0; i < filters.n; i++)
		free(filters.w[i]);
}

/* --- the bash completion ---------------------------------------------- */

static void read_completion(struct doc *d, const char *path)
{
	char cmd[8192], *text, *line, *save = NULL;
	struct wset *cur = NULL;

	if (access("/bin/bash", X_OK)) {
		d->broken = true;
		snprintf(d->why, sizeof(d->why), "no /bin/bash");
		return;
	}
	/*
	 * COMP_WORDS as bash builds them; "== NAME" starts each set. The
	 * commands: complete an empty word after twctl. Options: complete "-"
	 * after twctl (global) and after twctl CMD.
	 */
	snprintf(cmd, sizeof(cmd),
		 "/bin/bash --norc --noprofile -c '"
		 "unset -f _init_completion; . \"$1\" || exit 1; "
		 "comp() { COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); "
		 "COMPREPLY=(); _twctl twctl \"${@: -1}\" \"${@: -2:1}\"; "
		 "printf \"%%s\\n\" \"${COMPREPLY[@]}\"; }; "
		 "echo \"== \"; comp twctl \"\"; "
		 "echo \"== (global)\"; comp twctl -; "
		 "for c in $(comp twctl \"\"); do echo \"== $c\"; comp twctl $c -; done"
		 "' twctl-completion-test '%s'", path);
	text = capture(cmd);
	if (!text) {
		d->broken = true;
		snprintf(d->why, sizeof(d->why), "sourcing %.200s in bash failed",
			 path);
		return;
	}
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "== ", 3))
			cur = set_get(d, line + 3);
		else if (!strncmp(line, "==", 2) && !line[2])
			cur = set_get(d, "");
		else
			set_add(cur, line, strlen(line));
	}
	free(text);
}

/* --- comparing -------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Words in a but not in b, space-separated into buf. */
static void missing(char *buf, size_t cap, const struct wset *a,
		    const struct wset *b)
{
	size_t n = 0;
	int i, j;

	buf[0] = '\0';
	for (i = 0; a && i < a->n; i++) {
		bool found = false;

		for (j = 0; b && j < b->n; j++)
			found |= !strcmp(a->w[i], b->w[j]);
		if (!found && n + strlen(a->w[i]) + 2 < cap)
			n += snprintf(buf + n, cap - n, " %s", a->w[i]);
	}
}

static const struct wset *find(const struct doc *d, const char *name)
{
	int i;

	for (i = 0; i < d->nsets; i++)
		if (!strcmp(d->sets[i].name, name))
			return &d->sets[i];
	return NULL;
}

static void compare(const char *what, const struct doc *docs,
		    const char *const *names, const char *set)
{
	char test[128], why[1024] = "", part[400];
	size_t n = 0;
	int i, j;

	snprintf(test, sizeof(test), "docs: %s agree in help, man page and completion",
		 what);
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++) {
			if (i == j)
				continue;
			missing(part, sizeof(part), find(&docs[i], set),
				find(&docs[j], set));
			if (*part && n + strlen(part) + 40 < sizeof(why))
				n += snprintf(why + n, sizeof(why) - n,
					      "%s%s lacks%s (in the %s)",
					      n ? "; " : "", names[j], part,
					      names[i]);
		}
	/* Empty sets are fine for a command without options, not here. */
	if ((!*set || !strcmp(set, "(global)")) &&
	    (!find(&docs[0], set) || !find(&docs[0], set)->n))
		snprintf(why, sizeof(why), "the help names nothing");
	t_check(!*why, test, "%s", why);
}

/*
 * Every option the help names is one the parser takes: `twctl CMD OPT
 * --help` (the --help is OPT's value if it takes one) must not be refused
 * as unknown, ambiguous or abbreviated, whatever else it says.
 */
static void check_accepted(const char *twctl, const struct doc *help)
{
	char cmd[8800], why[1024] = "";
	size_t n = 0;
	int i, j;

	for (i = 0; i < help->nsets; i++) {
		const struct wset *s = &help->sets[i];
		bool global = !strcmp(s->name, "(global)");

		if (!*s->name || !strcmp(s->name, "help"))
			continue;
		for (j = 0; j < s->n; j++) {
			char *err;

			if (snprintf(cmd, sizeof(cmd),
				     "'%s' %s%s %s --help 2>&1 >/dev/null; true",
				     twctl, global ? "" : s->name,
				     global ? "" : " ", s->w[j]) >= (int)sizeof(cmd))
				continue;
			err = capture(cmd);
			if (err && (strstr(err, "unknown or ambiguous option") ||
				    strstr(err, "write options in full")) &&
			    n + strlen(s->w[j]) + 40 < sizeof(why))
				n += snprintf(why + n, sizeof(why) - n, " %s %s",
					      s->name, s->w[j]);
			free(err);
		}
	}
	t_check(!*why, "docs: every option in the help is accepted by the parser",
		"refused:%s", why);
}

void test_docs(const char *twctl)
{
	static const char *const names[] = { "help", "man page", "completion" };
	char path[4200];
	struct doc docs[3];
	const struct wset *cmds;
	char what[64];
	int i;

	memset(docs, 0, sizeof(docs));
	read_help(&docs[0], twctl);
	snprintf(path, sizeof(path), "%s/../../tools/man/twctl.8", t_dir);
	read_man(&docs[1], path);
	snprintf(path, sizeof(path), "%s/../../tools/completion/twctl.bash",
		 t_dir);
	read_completion(&docs[2], path);
	for (i = 0; i < 3; i++) {
		int j;

		if (docs[i].broken) {
			t_check(false, "docs: help, man page and completion readable",
				"%s: %s", names[i], docs[i].why);
			goto out;
		}
		for (j = 0; j < docs[i].nsets; j++)
			qsort(docs[i].sets[j].w, docs[i].sets[j].n,
			      sizeof(char *), cmp_str);
	}
	check_accepted(twctl, &docs[0]);
	compare("commands", docs, names, "");
	compare("global options", docs, names, "(global)");
	/* Every command any of the three knows. */
	for (i = 0; i < 3; i++) {
		int j;

		cmds = find(&docs[i], "");
		for (j = 0; cmds && j < cmds->n; j++) {
			int k;
			bool seen = false;

			for (k = 0; k < i; k++) {
				const struct wset *c = find(&docs[k], "");
				int m;

				for (m = 0; c && m < c->n; m++)
					seen |= !strcmp(c->w[m], cmds->w[j]);
			}
			if (seen)
				continue;
			snprintf(what, sizeof(what), "options of %s",
				 cmds->w[j]);
			compare(what, docs, names, cmds->w[j]);
		}
	}
out:
	for (i = 0; i < 3; i++)
		doc_free(&docs[i]);
}
