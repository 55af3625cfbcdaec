/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One error convention and one -j-aware printer for every vqlab tool, on the
 * model of bpftool's p_err()/p_info().
 *
 * The convention: a function that can fail returns 0 or -errno (a pointer:
 * NULL with errno set). When the caller needs the reason as text (a sample's
 * "failed" reason, a scenario's file:line), it passes a struct errbuf and the
 * function fills it with err_set(); otherwise it passes NULL. Only the top of
 * a command prints, with p_err(): "Error: ..." on stderr, or {"error": "..."}
 * on stdout under -j, so a program reading the JSON sees why.
 */
#ifndef VQLAB_MSG_H
#define VQLAB_MSG_H
#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>

#define ERRBUF_LEN 1024

/* A one-line reason for a failure, filled by the function that failed. */
struct errbuf {
	char msg[ERRBUF_LEN];
};

/* Format @fmt into @e (when @e is not NULL) and return @ret, so that a
 * failure reads `return err_set(e, -EINVAL, "...", ...);`. */
int err_set(struct errbuf *e, int ret, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Put "@fmt: " in front of what @e already says (context from a caller). */
int err_prefix(struct errbuf *e, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The output mode of the running tool: set once from -j / -p. */
void msg_set_json(bool json, bool pretty);
bool msg_json(void);

/* An error for the person or program that ran the tool (see above). The
 * first error's text is kept: msg_first_error() ("" when none), for tools
 * that report it inside their own JSON document instead. */
void p_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *msg_first_error(void);
/* Like p_err, without the JSON line: for a tool whose -j output is one
 * document that carries the error itself (vqtrace's summary). */
void p_err_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Progress, notes and warnings: always stderr, so stdout stays clean for -j. */
void p_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void p_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One JSON document on its own line of stdout (indented under -p). */
void p_json(const json_t *o);

#endif
