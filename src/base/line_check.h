/*
 * line_check: a line of a file libmemo keeps for itself (the identity
 * folder's symbol facts and entry plans, which say where to write a jump and
 * which bytes to move) ends in a check of its own text, so that a line
 * changed on disk (bit rot, a hand edit, another tool) is passed over and
 * found again, never believed. A whole file is written at once (a temp file
 * renamed); this guards each line's content.
 */
#ifndef MEMO_BASE_LINE_CHECK_H
#define MEMO_BASE_LINE_CHECK_H

#include <stdbool.h>
#include <stddef.h>

/* What the check adds to a line: a space and 16 hex digits. */
#define LINE_CHECK_BYTES 17

/* Appends " CHECK\n" to the line's text line[0..len) (no newline yet), in a
 * buffer of `cap` bytes; returns the new length, or 0 when it does not fit. */
size_t line_check_seal(char *line, size_t len, size_t cap);

/* Whether the line line[0..len) (without its newline) ends in the check of
 * the text before it; *text_len is then that text's length. */
bool line_check_ok(const char *line, size_t len, size_t *text_len);

#endif
