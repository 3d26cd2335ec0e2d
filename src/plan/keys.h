#ifndef DF2NINJA_PLAN_KEYS_H
#define DF2NINJA_PLAN_KEYS_H

/*
 * the member names of plans (plan.h says what each holds); encode.c
 * writes them and decode.c reads them, so a key is spelled once
 */

/* every step plan */
#define PLAN_KEY_VERSION	"version"
#define PLAN_KEY_KIND		"kind"
#define PLAN_KEY_STAGE		"stage"
#define PLAN_KEY_STEP		"step"
#define PLAN_KEY_INSTRUCTION	"instruction"
#define PLAN_KEY_PARENT		"parent"
#define PLAN_KEY_CONFIG		"config"
#define PLAN_KEY_EXPAND		"expand"
#define PLAN_KEY_ESCAPE		"escape"

/* a deferred word: {"raw": W} */
#define PLAN_KEY_RAW		"raw"

/* config operations */
#define PLAN_KEY_OP		"op"
#define PLAN_KEY_ENV		"env"
#define PLAN_KEY_LABELS		"labels"
#define PLAN_KEY_ARGS		"args"
#define PLAN_KEY_NAME		"name"
#define PLAN_KEY_VALUE		"value"
#define PLAN_KEY_USER		"user"
#define PLAN_KEY_CMD		"cmd"
#define PLAN_KEY_ENTRYPOINT	"entrypoint"
#define PLAN_KEY_SHELL_FORM	"shell_form"
#define PLAN_KEY_RESET_CMD	"reset_cmd"
#define PLAN_KEY_SHELL		"shell"
#define PLAN_KEY_PORTS		"ports"
#define PLAN_KEY_VOLUMES	"volumes"
#define PLAN_KEY_SIGNAL		"signal"
#define PLAN_KEY_TEST		"test"
#define PLAN_KEY_INTERVAL	"interval"
#define PLAN_KEY_TIMEOUT	"timeout"
#define PLAN_KEY_START_PERIOD	"start_period"
#define PLAN_KEY_START_INTERVAL	"start_interval"
#define PLAN_KEY_RETRIES	"retries"
#define PLAN_KEY_TRIGGER	"trigger"
#define PLAN_KEY_MAINTAINER	"maintainer"

/* FROM */
#define PLAN_KEY_BASE		"base"
#define PLAN_KEY_TYPE		"type"
#define PLAN_KEY_PLATFORM	"platform"
#define PLAN_KEY_REF		"ref"
#define PLAN_KEY_PULL		"pull"
#define PLAN_KEY_ONBUILD	"onbuild"

/* RUN */
#define PLAN_KEY_MOUNTS		"mounts"
#define PLAN_KEY_NETWORK	"network"
#define PLAN_KEY_SECURITY	"security"
#define PLAN_KEY_HEREDOCS	"heredocs"
#define PLAN_KEY_CONTENT	"content"
#define PLAN_KEY_CHOMP		"chomp"
#define PLAN_KEY_SCRIPT		"script"
#define PLAN_KEY_PROXY		"proxy"
#define PLAN_KEY_CONTEXT	"context"
#define PLAN_KEY_CONTEXT_OWN	"context_own"
#define PLAN_KEY_DOCKERIGNORE	"dockerignore"
#define PLAN_KEY_ADD_HOSTS	"add_hosts"
#define PLAN_KEY_ULIMITS	"ulimits"

/* RUN --mount */
#define PLAN_KEY_TARGET		"target"
#define PLAN_KEY_SOURCE		"source"
#define PLAN_KEY_FROM		"from"
#define PLAN_KEY_READONLY	"readonly"
#define PLAN_KEY_ID		"id"
#define PLAN_KEY_SHARING	"sharing"
#define PLAN_KEY_REQUIRED	"required"
#define PLAN_KEY_MODE		"mode"
#define PLAN_KEY_UID		"uid"
#define PLAN_KEY_GID		"gid"
#define PLAN_KEY_SIZE		"size"

/* COPY and ADD */
#define PLAN_KEY_SOURCES	"sources"
#define PLAN_KEY_DEST		"dest"
#define PLAN_KEY_CHOWN		"chown"
#define PLAN_KEY_CHMOD		"chmod"
#define PLAN_KEY_LINK		"link"
#define PLAN_KEY_EXCLUDE	"exclude"
#define PLAN_KEY_PARENTS	"parents"
#define PLAN_KEY_CHECKSUM	"checksum"
#define PLAN_KEY_KEEP_GIT_DIR	"keep_git_dir"
#define PLAN_KEY_UNPACK		"unpack"
#define PLAN_KEY_IMAGE		"image"

/* WORKDIR */
#define PLAN_KEY_PATH		"path"

/* the export plan */
#define PLAN_KEY_LAST		"last"
#define PLAN_KEY_CHAIN		"chain"
#define PLAN_KEY_PLATFORMS	"platforms"
#define PLAN_KEY_TAGS		"tags"
#define PLAN_KEY_OUTPUTS	"outputs"
#define PLAN_KEY_TAR		"tar"
#define PLAN_KEY_IN_CONTEXT	"in_context"
#define PLAN_KEY_LOAD		"load"
#define PLAN_KEY_SOURCE_DATE_EPOCH	"source_date_epoch"
#define PLAN_KEY_IIDFILE	"iidfile"
#define PLAN_KEY_QUIET		"quiet"
#define PLAN_KEY_METADATA_FILE	"metadata_file"

#endif
