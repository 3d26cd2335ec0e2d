#include <string.h>

#include "util/unicode.h"
#include "parse.h"

/* Node.Dump of one instruction, without the parentheses around it */
static void
dump_instr(const struct instr *in, struct buf *out)
{
	struct buf b = BUF_INIT;
	size_t i, lead, n;

	buf_puts(&b, in->keyword ? in->keyword : "");
	if (in->flags.n > 0) {
		/* fmt's %q of a []string */
		buf_puts(&b, " [");
		for (i = 0; i < in->flags.n; i++) {
			if (i > 0)
				buf_putc(&b, ' ');
			quote_go(&b, in->flags.v[i], strlen(in->flags.v[i]));
		}
		buf_putc(&b, ']');
	}
	if (in->sub) {
		buf_puts(&b, " (");
		dump_instr(in->sub, &b);
		buf_putc(&b, ')');
	}
	for (i = 0; i < in->args.n; i++) {
		n = in->arglens ? in->arglens[i] : strlen(in->args.v[i]);
		buf_putc(&b, ' ');
		quote_go(&b, in->args.v[i], n);
	}
	/* Dump ends in strings.TrimSpace */
	lead = uni_space_prefix(buf_str(&b), b.len);
	n = b.len - lead;
	n -= uni_space_suffix(buf_str(&b) + lead, n);
	buf_putn(out, buf_str(&b) + lead, n);
	buf_fini(&b);
}

void
dockerfile_dump(const struct dockerfile *df, struct buf *out)
{
	for (size_t i = 0; i < df->ninstrs; i++) {
		buf_putc(out, '(');
		dump_instr(&df->instrs[i], out);
		buf_puts(out, ")\n");
	}
	if (df->ninstrs == 0)
		buf_putc(out, '\n');
}
