#ifndef DF2NINJA_PLAN_NAMES_H
#define DF2NINJA_PLAN_NAMES_H

#include <stddef.h>

/* the names plans give the values of an enum of plan.h: v[value] */
struct plan_names {
	const char *const *v;
	size_t n;
};

extern const struct plan_names plan_kind_names;		/* enum plan_kind */
extern const struct plan_names plan_op_names;		/* enum plan_op_kind */
extern const struct plan_names plan_base_names;		/* enum plan_base */
extern const struct plan_names plan_mount_names;	/* enum plan_mount_type */
extern const struct plan_names plan_sharing_names;	/* enum plan_sharing */
extern const struct plan_names plan_network_names;	/* enum plan_network */
extern const struct plan_names plan_security_names;	/* enum plan_security */
extern const struct plan_names plan_output_names;	/* enum plan_output_type */

/* the name of value in set; BUG() for a value it has no name for */
const char *plan_name(const struct plan_names *set, int value);
/* the value named s in set, or -1 */
int plan_value(const struct plan_names *set, const char *s);

#endif
