/*
 * Fuzz target: the prototype language (src/config/proto.c). The input is
 *   PROTOTYPE \0 RETURN-RULE \0 IGNORED-NAME \0 ARGUMENT-BYTES
 * (missing parts are empty): proto_parse, then as config.c would,
 * proto_set_return and proto_ignore_arg, then proto_canonical, and len_eval of
 * every array length with argument values taken from ARGUMENT-BYTES (16 bytes
 * per argument, zero-filled), as libffi would pass them to the call path.
 * Built with libFuzzer by `make fuzz`, and as a corpus replayer by the suite.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The next NUL-terminated field of the input, copied (at most cap-1 bytes). */
static void field(const uint8_t **p, const uint8_t *end, char *out, size_t cap)
{
	size_t n = 0;

	while (*p < end && **p && n < cap - 1)
		out[n++] = (char)*(*p)++;
	out[n] = 0;
	while (*p < end && **p)
		(*p)++;
	if (*p < end)
		(*p)++;	/* the NUL */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[8192], rule[256], ignored[128], canon[PROTO_CANON_MAX];
	static uint8_t slots[PROTO_MAX_ARGS][16] __attribute__((aligned(16)));
	const uint8_t *p = data, *end = data + size;
	void *args[PROTO_MAX_ARGS];
	struct proto_error err;
	struct proto pr;
	struct strpool names = { 0 };
	size_t n;

	field(&p, end, text, sizeof text);
	field(&p, end, rule, sizeof rule);
	field(&p, end, ignored, sizeof ignored);
	if (proto_parse(text, &pr, &err, &names) < 0) {
		if (!memchr(err.msg, 0, sizeof err.msg))
			abort();	/* an error message must be a string */
		strpool_release(&names);
		return 0;
	}
	if (rule[0])
		proto_set_return(&pr, rule, &err);
	if (ignored[0])
		proto_ignore_arg(&pr, ignored);
	n = proto_canonical(&pr, canon, sizeof canon);
	if (n >= sizeof canon || strlen(canon) != n)
		abort();	/* proto.h: PROTO_CANON_MAX always holds it whole */

	memset(slots, 0, sizeof slots);
	n = (size_t)(end - p);
	memcpy(slots, p, n < sizeof slots ? n : sizeof slots);
	for (int i = 0; i < PROTO_MAX_ARGS; i++)
		args[i] = slots[i];
	for (int i = 0; i < pr.nargs; i++) {
		uint64_t count;
		int k = pr.args[i].kind;

		if (k == ARG_IN || k == ARG_OUT || k == ARG_INOUT)
			len_eval(&pr.args[i].len, &pr, args, &count);
	}
	strpool_release(&names);
	return 0;
}
