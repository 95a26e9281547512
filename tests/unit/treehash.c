/*
 * treehash: the tree digest is the same however many threads hash it, from
 * one caller or several at once, before and after fork; it matches a
 * sequential reference of the documented shape (libb2, one leaf at a time;
 * the tree hashes four at once where the CPU has AVX2); one changed byte
 * changes it.
 * treehash_read reads a file's bytes into place with the same digest, and
 * fails (EIO) on a file shorter than asked.
 *   treehash
 */
#include <blake2.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/treehash.h"

#define LEN ((size_t)5 * 1024 * 1024 + 12345)

static uint8_t *buf;
static uint8_t want[32];
static int failures;

static void check(int ok, const char *what)
{
	printf("%s %s\n", ok ? "ok  " : "FAIL", what);
	failures += !ok;
}

/* The documented shape, computed plainly: root = BLAKE2b-256(u64 length ‖
 * leaf digests), leaves of TREEHASH_CHUNK bytes. */
static void reference(const uint8_t *p, size_t len, uint8_t out[32])
{
	size_t leaves = (len + TREEHASH_CHUNK - 1) / TREEHASH_CHUNK, i;
	uint8_t (*d)[32] = malloc(leaves * 32);
	uint64_t n = len;
	blake2b_state s;

	for (i = 0; i < leaves; i++) {
		size_t off = i * TREEHASH_CHUNK;
		size_t m = len - off < TREEHASH_CHUNK ? len - off : TREEHASH_CHUNK;
		blake2b(d[i], p + off, NULL, 32, m, 0);
	}
	blake2b_init(&s, 32);
	blake2b_update(&s, (const uint8_t *)&n, sizeof n);
	blake2b_update(&s, (const uint8_t *)d, leaves * 32);
	blake2b_final(&s, out, 32);
	free(d);
}

static void *hasher(void *arg)
{
	int *ok = arg, i;
	uint8_t got[32];

	for (i = 0; i < 20; i++) {
		treehash(buf, LEN, got);
		*ok &= !memcmp(got, want, 32);
	}
	return NULL;
}

int main(void)
{
	uint8_t got[32];
	pthread_t t[4];
	int ok[4] = { 1, 1, 1, 1 }, i, status;
	size_t j;
	pid_t pid;

	buf = malloc(LEN);
	for (j = 0; j < LEN; j++)
		buf[j] = (uint8_t)(j * 2654435761u >> 13);
	reference(buf, LEN, want);
	treehash(buf, LEN, got);
	check(!memcmp(got, want, 32), "one caller: the documented tree digest");

	for (i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, hasher, &ok[i]);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	check(ok[0] && ok[1] && ok[2] && ok[3], "4 callers at once, 20 times each: the same digest");

	pid = fork();
	if (pid == 0) {
		treehash_after_fork();
		treehash(buf, LEN, got);
		_exit(memcmp(got, want, 32) != 0);
	}
	waitpid(pid, &status, 0);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a forked child: the same digest");

	{
		FILE *f = tmpfile();
		uint8_t *back = malloc(LEN);
		int fd = fileno(f), r;

		check(f && fwrite("head", 1, 4, f) == 4 && fwrite(buf, 1, LEN, f) == LEN &&
		      fflush(f) == 0, "a file of the bytes, after a 4-byte head");
		memset(got, 0, sizeof got);
		r = treehash_read(fd, 4, back, LEN, got);
		check(r == 0 && !memcmp(got, want, 32) && !memcmp(back, buf, LEN),
		      "treehash_read: the bytes read into place, the same digest");
		errno = 0;
		r = treehash_read(fd, 5, back, LEN, got);
		check(r == -1 && errno == EIO, "treehash_read past the file's end: EIO");
		fclose(f);
		free(back);
	}

	buf[LEN - 1] ^= 1;
	treehash(buf, LEN, got);
	check(memcmp(got, want, 32) != 0, "the last byte changed: another digest");
	return failures != 0;
}
