#include <stddef.h>

#include "dockerfile/ast.h"
#include "util/notify.h"
#include "graph/directives.h"

void
directives_notify(const struct dockerfile *df)
{
	if (df->syntax)
		notify(NOTIFY_NOTE, "%s:%d: note: '# syntax=%s' ignored: df2ninja "
		       "builds with its own frontend", df->name, df->syntax_line,
		       df->syntax);
}
