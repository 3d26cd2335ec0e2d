#include "sandbox/devsteps.h"

static const char *const dev_what[DEV_END] = {
	"mounting tmpfs on '/dev'",
	"binding '/dev/null'",
	"binding '/dev/zero'",
	"binding '/dev/full'",
	"binding '/dev/random'",
	"binding '/dev/urandom'",
	"binding '/dev/tty'",
	"mounting devpts on '/dev/pts'",
	"mounting tmpfs on '/dev/shm'",
	"mounting mqueue on '/dev/mqueue'",
	"linking '/dev/fd'",
	"linking '/dev/stdin'",
	"linking '/dev/stdout'",
	"linking '/dev/stderr'",
	"linking '/dev/ptmx'",
};

const char *
dev_step_what(int arg)
{
	return arg >= 0 && arg < DEV_END ? dev_what[arg] : "?";
}
