/*
 * secret: loads the MAC key of authenticated values (secret.h) and checks
 * that only its owner can read or change it: a secret others can read lets
 * them forge values; one others can write lets them choose it.
 * Calls libc, value and log; start-up only, before any other thread exists.
 */
#include "store/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "store/value.h"

/* Shorter than this is guessable offline from one stored value. */
#define SECRET_WEAK_BYTES 16

static int secret_check(const char *path, const struct stat *sb)
{
	if (!S_ISREG(sb->st_mode)) {
		log_error("'%s': the secret file is not a regular file", path);
		return -1;
	}
	if (sb->st_uid != geteuid()) {
		log_error("'%s': the secret file belongs to uid %u, not to this user (uid %u); "
			  "not using it", path, (unsigned)sb->st_uid, (unsigned)geteuid());
		return -1;
	}
	if (sb->st_mode & (S_IRWXG | S_IRWXO)) {
		log_error("'%s': the secret file is open to group or others (mode %03o); "
			  "not using it (chmod 600)", path, (unsigned)(sb->st_mode & 0777));
		return -1;
	}
	if (sb->st_size > SECRET_MAX_BYTES) {
		log_error("'%s': the secret file is larger than %d bytes", path, SECRET_MAX_BYTES);
		return -1;
	}
	return 0;
}

int secret_load(const struct cache_config *c)
{
	static uint8_t buf[SECRET_MAX_BYTES + 1];
	const char *path = c->secret_file;
	struct stat sb;
	size_t n = 0;
	ssize_t r;
	int fd, ret = -1;

	if (!path[0]) {
		value_set_secret(NULL, 0);	/* no key: the plain check */
		return 0;
	}
	/* O_NONBLOCK: a FIFO named by mistake must not hang the host before
	 * main; fstat on what was opened decides, so a swapped path cannot
	 * slip between the check and the read. Symbolic links are followed
	 * (mounted secrets often are links): the target is what is checked. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		log_error("'%s': cannot open the secret file: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) < 0) {
		log_error("'%s': cannot stat the secret file: %s", path, strerror(errno));
		goto out;
	}
	if (secret_check(path, &sb) < 0)
		goto out;
	while (n < sizeof buf && (r = read(fd, buf + n, sizeof buf - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			log_error("'%s': cannot read the secret file: %s", path, strerror(errno));
			goto out;
		}
		n += (size_t)r;
	}
	if (n > SECRET_MAX_BYTES) {	/* it grew since fstat */
		log_error("'%s': the secret file is larger than %d bytes", path, SECRET_MAX_BYTES);
		goto out;
	}
	/* `echo key > file` and an editor's final newline must give the same
	 * secret as printf: one trailing line end is not part of it. */
	if (n && buf[n - 1] == '\n')
		n--;
	if (n && buf[n - 1] == '\r')
		n--;
	if (!n) {
		log_error("'%s': the secret file is empty", path);
		goto out;
	}
	if (n < SECRET_WEAK_BYTES)
		log_warn("'%s': the secret has only %zu bytes; use at least %d random ones "
			 "(head -c 32 /dev/urandom)", path, n, SECRET_WEAK_BYTES);
	value_set_secret(buf, n);
	ret = 0;
out:
	explicit_bzero(buf, sizeof buf);
	close(fd);
	return ret;
}
