#ifndef DF2NINJA_PLAN_PLAN_H
#define DF2NINJA_PLAN_PLAN_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The plans' version. It also stands for what the executor keeps per step
 * (states, layer dirs): bumping it changes every plan, so ninja reruns
 * every step of an existing build dir after an upgrade instead of mixing
 * the old form with the new. 2: a step's layer is named by its sum
 * (src/image/layer_sum.h), no longer by its diff id.
 */
#define PLAN_VERSION 2

/*
 * Plans: what `df2ninja exec` reads. This header is the contract between
 * the resolver (src/graph, which writes plans) and the executor (src/exec,
 * which runs them): each part of a plan is described here next to the
 * struct that holds it. The resolver fills the structs and encode.h
 * writes them; the executor gets them from decode.h, which checks every
 * key. The key names are in keys.h, the names of enum values in names.h.
 *
 * A plan is one JSON object in the text json_dumps(JSON_SORT_KEYS |
 * JSON_INDENT(2)) gives (pj.h writes it), ending in a newline. It holds
 * everything the step needs and nothing that changes when something
 * irrelevant changes: no Dockerfile line numbers, no absolute paths (but
 * see "dest" of the export plan), no times.
 *
 * The structs hold views: strings and arrays live in the arena the
 * resolver builds the plan in, or, for a decoded plan, in the JSON value
 * and the arena decode.h was given.
 */

/*
 * WORDS. Where a value comes from a Dockerfile word that BuildKit expands
 * (ADD, COPY, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR, ARG
 * defaults, flag values), the plan holds a "word": either a JSON string,
 * the final value, or {"raw": W}: W as written, which the executor must
 * expand itself with the shell lexer (words.h; escape character "escape"),
 * ProcessWord semantics, against the running environment defined below.
 * A word is deferred only when it uses a variable the Dockerfile does not
 * set and the stage's chain starts at an image: the value comes from the
 * image's own ENV, which only the executor knows. In a chain that starts
 * at scratch an unknown variable is simply unset and nothing is deferred.
 * Every plan has "expand": true when it holds at least one deferred word
 * (or here-document body to expand), and then also "escape".
 */
struct plan_word {
	const char *s;		/* NULL: JSON null, where the contract allows it */
	bool is_raw;		/* {"raw": s} */
};

struct plan_words {
	struct plan_word *v;
	size_t n;
};

struct plan_strs {
	const char **v;
	size_t n;
};

/*
 * RUNNING ENVIRONMENT. The executor keeps, per step result, BuildKit's
 * "state env": the environment in which words are expanded and RUN
 * commands run. It starts as the base image's config Env (for FROM an
 * image; PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
 * is added when the image has no PATH, and is the whole env of scratch),
 * or as the state env of the parent stage's last step with that step's
 * image config Env set again over it (FROM a stage: ARG and ENV values
 * carry over, and an ENV wins over a later ARG of the same name, as in
 * BuildKit). Each "config" operation is applied in order
 * (below): "env" sets names in both the image config Env and the state
 * env; "arg" sets names in the state env only. The step's own words are
 * expanded after its "config" operations are applied, and a RUN command's
 * environment is the state env then (plus "proxy"). The state env must be
 * stored with each step's result: the next step, or a stage built on this
 * one, starts from it.
 */

/*
 * CONFIG OPERATIONS ("op" says which; each but "onbuild" makes one
 * history entry with empty_layer, in BuildKit's words, as BuildKit does):
 *   {"op": "env", "env": [[name, word], ...]}: every word is expanded with
 *       the env as it was before the instruction, then all are set
 *   {"op": "label", "labels": [[word, word], ...]}
 *   {"op": "arg", "args": [{"name": n, "value": word | null}, ...]}:
 *       processed one by one; a null value sets nothing (the ARG has no
 *       value); build args are already applied to the values
 *   {"op": "user", "user": word}
 *   {"op": "cmd", "cmd": [strings], "shell_form": bool}
 *   {"op": "entrypoint", "entrypoint": [strings] | null, "shell_form":
 *       bool, "reset_cmd": bool}: reset_cmd clears Cmd (no CMD came
 *       before it in this stage)
 *       (shell form: the executor prepends the image's Shell at that
 *       point, default ["/bin/sh", "-c"], to the one string)
 *   {"op": "shell", "shell": [strings]}
 *   {"op": "expose", "ports": ["80/tcp", ...] | [{"raw": W}, ...]}:
 *       deferred ports are split into fields (ProcessWords) and parsed as
 *       [ip:]host:container/proto port specs
 *   {"op": "volume", "volumes": [word, ...]}
 *   {"op": "stopsignal", "signal": word}
 *   {"op": "healthcheck", "test": [strings] (["NONE"], ["CMD", ...] or
 *       ["CMD-SHELL", cmd]), "interval", "timeout", "start_period",
 *       "start_interval": nanoseconds (0: default), "retries": n}
 *   {"op": "onbuild", "trigger": "RUN make"}: stored in the config
 *   {"op": "maintainer", "maintainer": string}: sets the image author
 */
enum plan_op_kind {
	PLAN_OP_ENV,
	PLAN_OP_LABEL,
	PLAN_OP_ARG,
	PLAN_OP_USER,
	PLAN_OP_CMD,
	PLAN_OP_ENTRYPOINT,
	PLAN_OP_SHELL,
	PLAN_OP_EXPOSE,
	PLAN_OP_VOLUME,
	PLAN_OP_STOPSIGNAL,
	PLAN_OP_HEALTHCHECK,
	PLAN_OP_ONBUILD,
	PLAN_OP_MAINTAINER,
};

/* an ENV (its name is a final word) or LABEL pair */
struct plan_pair {
	struct plan_word name, value;
};

/* an ARG: value.s NULL when it has none */
struct plan_arg {
	const char *name;
	struct plan_word value;
};

/* one operation; the members its kind does not use stay zero */
struct plan_op {
	enum plan_op_kind kind;
	struct plan_pair *pairs;	/* env, label */
	size_t npairs;
	struct plan_arg *args;		/* arg */
	size_t nargs;
	struct plan_word word;		/* user, stopsignal */
	struct plan_strs argv;		/* cmd, entrypoint, shell, healthcheck's test */
	bool is_null;			/* entrypoint: null (ENTRYPOINT []) */
	bool shell_form;		/* cmd, entrypoint */
	bool reset_cmd;			/* entrypoint */
	struct plan_words words;	/* expose's ports, volume's volumes */
	long long interval, timeout, start_period, start_interval, retries;
	const char *text;		/* onbuild's trigger, maintainer's name */
};

/*
 * FROM: "base": {"type": "scratch", "platform": P}
 *     | {"type": "image", "ref": "alpine:3", "platform": P}
 *     | {"type": "stage", "stage": id}
 *     | {"type": "context", "context": dir, "platform": P}: a directory
 *       --build-context relative to the output directory: an empty image
 *       (as scratch) with the dir's files, after its .dockerignore, as its
 *       one layer; the step writes a depfile of what it read
 *   P is the normalised platform ("linux/amd64") of the stage: its FROM
 *   --platform, else the target platform of its (sub)graph; scratch and
 *   context start a config naming it, an image is that platform's
 *   manifest of an index, and the stage's RUN steps run under QEMU when
 *   it is not the host's (exec/emulate.h). Optionally "onbuild": [strings] (image only): the
 *   base image config's OnBuild triggers as generation read them; the
 *   resolver made them this stage's first steps (a stage's own ONBUILD
 *   triggers become steps of the stages built on it the same way). The
 *   executor must refuse an image whose OnBuild differs from this list
 *   (none when absent): the build must be generated again. It drops the
 *   image's OnBuild from the config, as BuildKit does.
 *   Optionally "pull": true (an image from a registry, generated with
 *   --pull): the tag is resolved again, not taken from the build dir's
 *   record of it (registry/pin.h).
 */
enum plan_base {
	PLAN_BASE_SCRATCH,
	PLAN_BASE_IMAGE,
	PLAN_BASE_STAGE,
	PLAN_BASE_CONTEXT,
};

struct from_plan {
	enum plan_base base;
	const char *platform;	/* scratch, image */
	const char *ref;	/* image */
	const char *stage;	/* stage: its id */
	const char *context;	/* context: the dir */
	bool pull;		/* image */
	struct plan_strs onbuild; /* image: its triggers, as generation read
				   * them */
};

/*
 * source: {"stage": id, "step": the stage's last step name} or
 *   {"image": ref} or {"image": ref, "platform": P}, for COPY --from and
 *   RUN --mount from=. P is the platform of the stage reading the image
 *   ("linux/arm64"), written only when it is not the host's: the image's
 *   manifest for P is read (for the host's without it).
 */
struct plan_source {
	const char *stage, *step;	/* a stage, or NULL */
	const char *image;		/* else an image */
	const char *platform;		/* image: NULL for the host's */
};

/* here-documents: {"name", "content", "expand", "chomp"} */
struct plan_heredoc {
	const char *name;
	const char *content;
	bool expand, chomp;
};

/*
 * RUN: "cmd": [strings], "shell_form": bool (prepend the Shell as for
 *   CMD), "mounts": [mount], "network": "default" | "host" | "none" |
 *   "isolated" ("default" is the host's; "isolated" a namespace of its
 *   own with outbound access through pasta or slirp4netns),
 *   "security": "sandbox" | "insecure", "args": [{"name", "value": word |
 *   null}] (the ARGs in scope, a parent stage's too, for history's "|N
 *   K=V" prefix, which names each with the state env's value, else its
 *   own, else ""; their values are in the state env already), "heredocs": [here-document]
 *   (as written; already folded into cmd),
 *   optionally "script": {"name", "content"}: a single here-document
 *   starting with "#!": bind it read-only, mode 0755, at
 *   /dev/pipes/<name> (cmd is that path), optionally "proxy": {lower-case
 *   name: value} from the http_proxy, https_proxy, ftp_proxy, no_proxy,
 *   all_proxy build args (any case): set NAME and name in the command's
 *   env unless the state env has them; optionally "context": the context
 *   directory when a bind mount reads it (then the step writes a depfile
 *   of what it read), and with it optionally "context_own": [paths]
 *   relative to the context of what df2ninja itself writes there (the
 *   build dir, the build file, --output dests), which are never part of
 *   the context, whatever .dockerignore says, and optionally
 *   "dockerignore" as for COPY, optionally "add_hosts": ["host=ip", ...]
 *   (--add-host: lines "ip\thost" appended to the step's /etc/hosts, in
 *   order; the name lower-case, the address canonical), optionally
 *   "ulimits": ["name=soft:hard", ...] (--ulimit, util/ulimit.h's form:
 *   the command's resource limits; -1 is unlimited).
 *   mount: {"type": "bind"|"cache"|"tmpfs"|"secret"|"ssh", "target":
 *   word, "source": word, "from": source, "readonly": bool, "id": word,
 *   "sharing": "shared"|"private"|"locked", "required": bool, "mode",
 *   "uid", "gid", "size" (bytes): numbers, "env": word}; only the keys
 *   given (and "type", "readonly") are present. A bind without "from"
 *   reads the context; a cache without "from" starts empty. A relative
 *   target is relative to the working directory; a bind, cache or tmpfs
 *   mount without one goes at the working directory (as in BuildKit).
 *   A secret or ssh mount names its id only: where the id's value or
 *   socket comes from is in <builddir>/secrets (plan/secretsrc.h), which
 *   is not part of the plan, so that it is no input of the step.
 */
enum plan_mount_type {
	PLAN_MOUNT_BIND,
	PLAN_MOUNT_CACHE,
	PLAN_MOUNT_TMPFS,
	PLAN_MOUNT_SECRET,
	PLAN_MOUNT_SSH,
};

enum plan_sharing {
	PLAN_SHARING_SHARED,
	PLAN_SHARING_PRIVATE,
	PLAN_SHARING_LOCKED,
};

struct plan_mount {
	enum plan_mount_type type;
	bool readonly;
	struct plan_word target, source, id, env;	/* s NULL: not given */
	bool has_from, has_sharing, has_required;
	bool has_mode, has_uid, has_gid, has_size;
	struct plan_source from;
	enum plan_sharing sharing;
	bool required;
	long long mode, uid, gid, size;
};

enum plan_network {
	PLAN_NETWORK_DEFAULT,
	PLAN_NETWORK_HOST,
	PLAN_NETWORK_NONE,
	PLAN_NETWORK_ISOLATED,
};

enum plan_security {
	PLAN_SECURITY_SANDBOX,
	PLAN_SECURITY_INSECURE,
};

/* a "proxy" member: a lower-case name and its value */
struct plan_proxy {
	const char *name, *value;
};

struct run_plan {
	struct plan_strs cmd;
	bool shell_form;
	struct plan_mount *mounts;
	size_t nmounts;
	enum plan_network network;
	enum plan_security security;
	struct plan_arg *args;
	size_t nargs;
	struct plan_heredoc *heredocs;
	size_t nheredocs;
	const char *script_name;	/* NULL: no "script" */
	const char *script_content;
	struct plan_proxy *proxy;	/* none: no "proxy" */
	size_t nproxy;
	const char *context;		/* NULL: no "context" */
	struct plan_strs context_own;	/* none: no "context_own" */
	const char *dockerignore;	/* NULL: no "dockerignore" */
	struct plan_strs add_hosts;	/* none: no "add_hosts" */
	struct plan_strs ulimits;	/* none: no "ulimits" */
};

/*
 * COPY / ADD: "sources": [word] (not here-documents), "dest": word,
 *   "from": null | source, "context": the context directory relative to
 *   the output directory (only when the step reads it), "context_own" as
 *   for RUN (only with "context"), optionally "dockerignore" (only with
 *   "context"): the ignore file to read instead of <context>/.dockerignore
 *   (<Dockerfile>.dockerignore, which existed at generation; relative to
 *   the output directory), "chown": word |
 *   null, "chmod": word | null (octal or chmod(1) symbolic when known),
 *   "link": bool,
 *   "exclude": [word], "heredocs": [here-document]: files made from
 *   here-documents; when "expand" is true the
 *   executor expands the content as BuildKit does (quotes kept): the word
 *   shlex_heredoc_text() (shlex/words.h) makes of it, with ProcessWord and
 *   escape '\\' against the running env; else content is final.
 *   COPY only: "parents": bool. ADD only: "checksum": word | null,
 *   "keep_git_dir": bool, "unpack": bool | null (null: BuildKit's default,
 *   unpack local archives only).
 */
struct copy_plan {
	struct plan_words sources;
	struct plan_word dest;
	bool has_from;			/* else "from": null */
	struct plan_source from;
	const char *context;		/* NULL: no "context" */
	struct plan_strs context_own;	/* none: no "context_own" */
	const char *dockerignore;	/* NULL: no "dockerignore" */
	struct plan_word chown, chmod;	/* s NULL: null */
	bool link;
	struct plan_words exclude;
	struct plan_heredoc *heredocs;
	size_t nheredocs;
	bool parents;			/* COPY */
	struct plan_word checksum;	/* ADD; s NULL: null */
	bool keep_git_dir;		/* ADD */
	int unpack;			/* ADD: 1 true, 0 false, -1 null */
};

/*
 * WORKDIR: "path": word (relative paths join the current working dir).
 *
 * CONFIG: only the common fields: the metadata after the stage's last
 *   numbered step.
 */
struct meta_plan {
	struct plan_word path;		/* WORKDIR */
};

/*
 * COMMON FIELDS (every step plan):
 *   "version": PLAN_VERSION
 *   "kind": "from" | "run" | "copy" | "add" | "workdir" | "config"
 *   "stage": the stage id ("build", "stage-2")
 *   "step": N (1-based, FROM is 1), 0 for the config step
 *   "instruction": the instruction as written (continuations joined)
 *   "parent": the step name ("build/02") this step builds on: the
 *       previous step of the stage, for FROM a stage that stage's last
 *       step, null for FROM scratch or an image
 *   "config": [operations], the metadata instructions between the
 *       previous step and this one, in order (always [] for FROM)
 *   "expand": bool; "escape": "\\" or "`" (only when expand is true)
 * The M of "[stage N/M]" is not in plans (appending a step would change
 * every plan of the stage): the executor reads it from plans/where.tsv,
 * "<step name>\t<Dockerfile>:<line>\t<M>" per step.
 * Step identity (the stamp digest) must not cover "proxy":
 * those change without changing what the step makes.
 */
enum plan_kind {
	PLAN_FROM,
	PLAN_RUN,
	PLAN_COPY,
	PLAN_ADD,
	PLAN_WORKDIR,
	PLAN_CONFIG,
};

struct step_plan {
	enum plan_kind kind;
	const char *stage;
	int num;			/* "step" */
	const char *instruction;
	const char *parent;		/* NULL: null */
	struct plan_op *ops;		/* "config" */
	size_t nops;
	bool expand;
	char escape;			/* written only when expand; else '\\' */
	union {
		struct from_plan from;	/* PLAN_FROM */
		struct run_plan run;	/* PLAN_RUN */
		struct copy_plan copy;	/* PLAN_COPY, PLAN_ADD */
		struct meta_plan meta;	/* PLAN_WORKDIR, PLAN_CONFIG */
	};
};

/*
 * EXPORT PLAN (plans/export.json): {"version": PLAN_VERSION, "stage":
 *   target id, "last": the target's last step name, "chain": the digest of
 *   the plans of the steps whose history the image holds (the target's and
 *   those of the stages it is built FROM), so that a reworded instruction,
 *   which changes the history but not the stamps, reruns the export,
 *   "tags": [strings as given], "source_date_epoch": seconds (optional:
 *   the build arg SOURCE_DATE_EPOCH, or the variable of df2ninja's
 *   environment, as checked by util/epoch.h; the export then sets
 *   "created" and the build's history dates to it and clamps the layers'
 *   mtimes to it),
 *   "outputs": [{"type": "oci" | "docker" | "local", "dest": path, "name":
 *   string (optional), "tar": bool (optional), "in_context": true
 *   (optional: dest lies in the build context, so its write must leave
 *   its directory's mtime as it was, see util/dirkeep.h), "load": true
 *   (optional, type docker only: --load, then hand the archive to `docker
 *   load`, or `podman load` when there is no docker)} | {"type": "registry",
 *   "name": the reference to push to}]}. A relative dest given
 *   on the command line is made absolute with the directory df2ninja ran
 *   in (it is the user's path, not the build tree's); the default output
 *   is {"type": "oci", "dest": "<builddir>/image"} with dest relative to
 *   the output directory. Optionally "labels": ["K=V", ...] (--label: set
 *   in the image config's Labels after the stage's own, in order, with no
 *   history entry, as BuildKit does), "iidfile": an absolute path
 *   (--iidfile: the export writes the image ID there, the digest of the
 *   image config, as docker's), "quiet": true (-q: the export prints the
 *   image ID alone on stdout and nothing else), "metadata_file": an
 *   absolute path (--metadata-file: the export writes there a JSON object
 *   with buildx's keys "containerimage.config.digest", and when known
 *   "containerimage.digest" (the manifest's) and "image.name" (the -t
 *   names, joined by ",")). Optionally "platforms": [{"platform":
 *   "linux/arm64", "stage": id, "last": step name, "chain": digest}, ...]
 *   (a multi-platform build, at least two: one image per platform, with
 *   what "stage", "last" and "chain" say of one; those three keys then
 *   repeat the first platform's). The index lists each image under its
 *   platform (its config names the stage's, from its FROM plan); an oci
 *   output is that image index, a local output a dir per platform
 *   ("dest/linux_arm64"), a registry gets each manifest then the index.
 */
enum plan_output_type {
	PLAN_OUTPUT_OCI,
	PLAN_OUTPUT_DOCKER,
	PLAN_OUTPUT_LOCAL,
	PLAN_OUTPUT_REGISTRY,
};

struct plan_output {
	enum plan_output_type type;
	const char *dest;		/* NULL for registry */
	const char *name;		/* NULL: not given */
	bool has_tar, tar;
	bool in_context;		/* false: no "in_context" */
	bool load;			/* false: no "load" */
};

struct plan_export_platform {
	const char *platform;
	const char *stage;
	const char *last;
	const char *chain;
};

struct export_plan {
	const char *stage;
	const char *last;
	const char *chain;
	struct plan_output *outputs;
	size_t noutputs;
	struct plan_strs tags;
	bool has_epoch;			/* false: no "source_date_epoch" */
	long long epoch;
	struct plan_strs labels;	/* none: no "labels" */
	const char *iidfile;		/* NULL: no "iidfile" */
	bool quiet;			/* false: no "quiet" */
	const char *metadata_file;	/* NULL: no "metadata_file" */
	struct plan_export_platform *platforms; /* none: no "platforms" */
	size_t nplatforms;
};

#endif
