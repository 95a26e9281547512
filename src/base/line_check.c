/* line_check: see line_check.h. The check is BLAKE2b-64 of the text. */
#include "base/line_check.h"

#include <stdint.h>
#include <string.h>

#include "base/util.h"
#include "base/b2.h"

static void check_of(const char *text, size_t len, char hex[17])
{
	uint8_t digest[8];

	b2(digest, text, NULL, sizeof digest, len, 0);
	util_hex(hex, digest, sizeof digest);
}

size_t line_check_seal(char *line, size_t len, size_t cap)
{
	if (len + LINE_CHECK_BYTES + 2 > cap)	/* the newline and a NUL after */
		return 0;
	line[len] = ' ';
	check_of(line, len, line + len + 1);
	line[len + LINE_CHECK_BYTES] = '\n';
	line[len + LINE_CHECK_BYTES + 1] = '\0';
	return len + LINE_CHECK_BYTES + 1;
}

bool line_check_ok(const char *line, size_t len, size_t *text_len)
{
	char hex[17];

	if (len < LINE_CHECK_BYTES || line[len - LINE_CHECK_BYTES] != ' ')
		return false;
	*text_len = len - LINE_CHECK_BYTES;
	check_of(line, *text_len, hex);
	return !memcmp(hex, line + *text_len + 1, 16);
}
