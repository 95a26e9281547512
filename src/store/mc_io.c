/*
 * mc_io: see mc_io.h. The catches stand in libmemcached's GOT slots for the
 * socket calls it imports; each asks io_current, the operation this thread
 * is in, and without one is the plain libc call.
 */
#include "store/mc_io.h"

#include <errno.h>
#include <limits.h>
#include <link.h>
#include <libmemcached/memcached.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fdwatch.h"
#include "base/log.h"
#include "base/util.h"
#include "find/elf_peek.h"

/* The operation this thread is in (mc_io_begin), or NULL. */
static __thread struct mc_io *io_current;

static struct mc_io_sock *sock_of(struct mc_io *io, int fd)
{
	for (int i = 0; i < io->nsocks; i++)
		if (io->socks[i].fd == fd)
			return &io->socks[i];
	return NULL;
}

static void sock_forget(struct mc_io *io, struct mc_io_sock *k)
{
	*k = io->socks[--io->nsocks];
}

/* ---- whether a socket may have changed since it was checked ------------- */

/*
 * libmemo.so's interposers (base/fdwatch.h) see every call made through
 * libc that may close or replace a number a socket sits on; what they
 * cannot see is a raw `syscall` instruction. So the fstat before each
 * request is skipped only while no such call was made since this thread's
 * last check (the epoch), and while no object outside glibc, GCC's
 * runtime, libmemo and the libraries it loads holds the bytes of one
 * (0f 05) in its code. Looked at once per object, again when objects were
 * added (got.c bumps the epoch after a dlopen the program makes; one glibc
 * makes itself, of an NSS or iconv module, is seen at the next bump); a
 * coincidence in the bytes only keeps the check.
 */
static struct fdwatch *watch;		/* set once by install_once; NULL: check always */
static pthread_mutex_t scan_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long long scan_adds;	/* dlpi_adds when last scanned (under scan_lock) */
enum { SCAN_NOT_YET, SCAN_NONE, SCAN_RAW };
static int scan_state;			/* atomic; SCAN_RAW is final */

static void watch_floor(int fd)
{
	int floor;

	if (!watch)
		return;
	floor = __atomic_load_n(&watch->floor, __ATOMIC_SEQ_CST);
	while (fd < floor && !__atomic_compare_exchange_n(&watch->floor, &floor, fd, false,
							   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		;
}

/* Libraries whose descriptor calls all go through libc's functions: the
 * bytes 0f 05 in them are parts of other instructions (libm has 22,
 * libcrypto 12: it calls syscall() for getrandom), or raw futex calls
 * (GCC's libgomp). */
static bool scan_trusted(const char *path)
{
	static const char *const libs[] = {
		"libc.so", "libm.so", "libgcc_s.so", "libstdc++.so", "libpthread.so", "libdl.so",
		"librt.so", "libmemo.so", "libmemo-", "libelf.so", "libelf-", "libZydis.so",
		"libmemcached.so", "libhashkit.so", "libsasl2.so", "liblmdb.so", "libz.so",
		"libsodium.so", "libffi.so", "libdw.so", "libdw-", "liblzma.so", "libbz2.so",
		"libzstd.so", "libgomp.so", "libatomic.so", "libquadmath.so", "libgfortran.so",
		"libcrypto.so", "libssl.so",
	};
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++)
		if (!strncmp(base, libs[i], strlen(libs[i])))
			return true;
	return false;
}

/* dl_iterate_phdr's callback: 1 (stop) at an object that may make raw
 * system calls. */
static int scan_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size, (void)arg;
	if (info->dlpi_addr == getauxval(AT_BASE) || info->dlpi_addr == getauxval(AT_SYSINFO_EHDR) ||
	    (*info->dlpi_name && scan_trusted(info->dlpi_name)))
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const uint8_t *p = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr);

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		for (size_t j = 0; j + 1 < ph->p_filesz; j++)
			if (p[j] == 0x0f && p[j + 1] == 0x05) {
				log_debug("'%s' may make raw system calls: memcached sockets are checked "
					  "before each request", *info->dlpi_name ? info->dlpi_name : "the program");
				return 1;
			}
	}
	return 0;
}

static int adds_of(struct dl_phdr_info *info, size_t size, void *adds)
{
	(void)size;
	*(unsigned long long *)adds = info->dlpi_adds;
	return 1;
}

/* Look at the objects, again if any were added since the last look. false
 * when another look is under way (or this thread's, interrupted by a
 * signal whose handler asks memcached): nothing is known then. */
static bool scan_objects(void)
{
	unsigned long long adds = 0;

	if (pthread_mutex_trylock(&scan_lock))
		return false;
	if (__atomic_load_n(&scan_state, __ATOMIC_SEQ_CST) != SCAN_RAW) {
		dl_iterate_phdr(adds_of, &adds);
		if (scan_state == SCAN_NOT_YET || adds != scan_adds) {
			__atomic_store_n(&scan_state, dl_iterate_phdr(scan_object, NULL) ? SCAN_RAW : SCAN_NONE,
					 __ATOMIC_SEQ_CST);
			scan_adds = adds;
		}
	}
	pthread_mutex_unlock(&scan_lock);
	return true;
}

/* ---- a VALUE line's length, read as libmemcached will parse it --------- */

enum { AT_LINE, IN_LINE, IN_VALUE_LINE, IN_VALUE };

/* Feed n received bytes; false when they complete a VALUE line whose length
 * is not a number below MC_VALUE_MAX. */
static bool stream_feed(struct mc_io_stream *s, const uint8_t *p, size_t n)
{
	static const char value[] = "VALUE ";

	while (n) {
		const uint8_t *nl;
		size_t k;

		switch (s->state) {
		case IN_VALUE:
			k = n < s->left ? n : (size_t)s->left;
			p += k, n -= k, s->left -= k;
			if (!s->left)
				s->state = AT_LINE, s->matched = 0;
			break;
		case AT_LINE:
			/* a whole "VALUE " at once, the common case */
			if (!s->matched && n >= sizeof value - 1 && !memcmp(p, value, sizeof value - 1)) {
				p += sizeof value - 1, n -= sizeof value - 1;
				s->state = IN_VALUE_LINE;
				s->field = 0, s->len = 0, s->matched = 0, s->bad = false;
				break;
			}
			if (*p != value[s->matched]) {
				s->state = IN_LINE;	/* *p is looked at again there */
				break;
			}
			p++, n--;
			if (++s->matched == sizeof value - 1) {
				s->state = IN_VALUE_LINE;
				s->field = 0, s->len = 0, s->matched = 0, s->bad = false;
			}
			break;
		case IN_LINE:
			nl = memchr(p, '\n', n);
			if (!nl)
				return true;
			n -= (size_t)(nl + 1 - p), p = nl + 1;
			s->state = AT_LINE, s->matched = 0;
			break;
		default:	/* IN_VALUE_LINE; matched counts the length's digits */
			if (s->field == 0) {	/* the key: only a space or the end counts */
				const uint8_t *sp = memchr(p, ' ', n);	/* (64 digits: SIMD) */

				k = sp ? (size_t)(sp - p) : n;
				nl = memchr(p, '\n', k);
				k = nl ? (size_t)(nl - p) : k;
				p += k, n -= k;
			}
			/* the short fields here, a byte at a time: flags and cas
			 * count only at a space or the end, as the key. In
			 * locals: the bytes read could alias the state's */
			uint8_t field = s->field, digits = s->matched;
			uint64_t len = s->len;
			bool bad = s->bad;

			while (n) {
				uint8_t c = *p++;

				n--;
				if (c == '\n') {
					if (bad || field < 2 || !digits)
						return false;
					s->left = len + 2, s->state = IN_VALUE;
					break;
				} else if (c == ' ') {
					field++;
				} else if (field == 2 && c != '\r') {
					if (c < '0' || c > '9' || len * 10 + (uint64_t)(c - '0') >= MC_VALUE_MAX)
						bad = true;
					else
						len = len * 10 + (uint64_t)(c - '0');
					digits = 1;
				}
			}
			s->field = field, s->matched = digits, s->len = len, s->bad = bad;
		}
	}
	return true;
}

/* ---- the catches ------------------------------------------------------- */

static int io_socket(int domain, int type, int protocol)
{
	struct mc_io *io = io_current;
	struct mc_io_sock *k;
	struct stat sb;
	int fd, high;

	if (!io)
		return socket(domain, type, protocol);
	fd = socket(domain, type | SOCK_CLOEXEC, protocol);
	if (fd < 0)
		return fd;
	/* Above the numbers the program takes; kept low (and quit after the
	 * operation) under a limit too low for that. */
	high = util_fd_high(fd);
	if (high >= 0) {
		close(fd);
		fd = high;
	} else {
		io->low = true;
	}
	if (io->nsocks == MC_IO_MAX_SOCKS || fstat(fd, &sb) < 0) {
		close(fd);
		errno = EMFILE;
		return -1;
	}
	if (!io->low)
		watch_floor(fd);
	k = &io->socks[io->nsocks++];
	memset(k, 0, sizeof *k);
	k->fd = fd;
	k->dev = sb.st_dev;
	k->ino = sb.st_ino;
	if (io->deadline)
		io->deadline += io->connect_ns;
	else
		io->timeout += io->connect_ns;
	io->made = true;
	return fd;
}

/* The catches below refuse a number that is not one of this operation's
 * sockets: libmemcached then drops that connection and makes another. */
static bool ours(int fd)
{
	struct mc_io *io = io_current;

	if (!io || sock_of(io, fd))
		return true;
	errno = EBADF;
	return false;
}

static int io_close(int fd)
{
	struct mc_io *io = io_current;
	struct mc_io_sock *k;

	if (!io)
		return close(fd);
	k = sock_of(io, fd);
	if (!k)
		return 0;	/* not ours any more: the number is the program's */
	sock_forget(io, k);
	return close(fd);
}

static int io_shutdown(int fd, int how)
{
	return ours(fd) ? shutdown(fd, how) : -1;
}

static int io_connect(int fd, const struct sockaddr *a, socklen_t n)
{
	return ours(fd) ? connect(fd, a, n) : -1;
}

static ssize_t io_send(int fd, const void *p, size_t n, int flags)
{
	return ours(fd) ? send(fd, p, n, flags) : -1;
}

static ssize_t io_sendmsg(int fd, const struct msghdr *m, int flags)
{
	return ours(fd) ? sendmsg(fd, m, flags) : -1;
}

static ssize_t io_recv(int fd, void *p, size_t n, int flags)
{
	struct mc_io *io = io_current;
	struct mc_io_sock *k;
	ssize_t r;

	if (!io)
		return recv(fd, p, n, flags);
	k = sock_of(io, fd);
	if (!k) {
		errno = EBADF;
		return -1;
	}
	r = recv(fd, p, n, flags);
	if (r > 0 && io->text && !(flags & MSG_PEEK) && !stream_feed(&k->in, p, (size_t)r)) {
		io->bad_length = true;
		memset(&k->in, 0, sizeof k->in);
		errno = EPROTO;
		return -1;
	}
	return r;
}

static int io_poll(struct pollfd *fds, nfds_t n, int timeout)
{
	struct mc_io *io = io_current;
	uint64_t now;
	nfds_t i;

	if (!io)
		return poll(fds, n, timeout);
	for (i = 0; i < n; i++) {
		fds[i].revents = 0;
		if (fds[i].fd >= 0 && !sock_of(io, fds[i].fd)) {
			fds[i].revents = POLLNVAL;	/* never polled: not ours */
			return 1;
		}
	}
	now = util_now_ns();
	if (!io->deadline)	/* the request's first wait: its allowance starts */
		io->deadline = now + io->timeout;
	if (now >= io->deadline)
		return 0;	/* a timeout, as poll would say it */
	if (timeout < 0 || (uint64_t)timeout * 1000000 > io->deadline - now)
		timeout = (int)((io->deadline - now + 999999) / 1000000);
	return poll(fds, n, timeout);
}

static int io_getsockopt(int fd, int level, int name, void *v, socklen_t *n)
{
	return ours(fd) ? getsockopt(fd, level, name, v, n) : -1;
}

static int io_setsockopt(int fd, int level, int name, const void *v, socklen_t n)
{
	return ours(fd) ? setsockopt(fd, level, name, v, n) : -1;
}

static int io_getpeername(int fd, struct sockaddr *a, socklen_t *n)
{
	return ours(fd) ? getpeername(fd, a, n) : -1;
}

static int io_getsockname(int fd, struct sockaddr *a, socklen_t *n)
{
	return ours(fd) ? getsockname(fd, a, n) : -1;
}

/* Every import of libmemcached's that names a descriptor. */
static const struct catch {
	const char *name;
	void *fn;
} catches[] = {
	{ "socket", io_socket }, { "close", io_close }, { "shutdown", io_shutdown },
	{ "connect", io_connect }, { "send", io_send }, { "sendmsg", io_sendmsg },
	{ "recv", io_recv }, { "poll", io_poll }, { "getsockopt", io_getsockopt },
	{ "setsockopt", io_setsockopt }, { "getpeername", io_getpeername },
	{ "getsockname", io_getsockname },
};
#define NCATCHES (sizeof catches / sizeof catches[0])
#define SLOTS_PER_CATCH 4

/* ---- installing them ---------------------------------------------------- */

struct install {
	uintptr_t inside;	/* an address in libmemcached's code */
	uintptr_t *slots[NCATCHES][SLOTS_PER_CATCH];
	int nslots[NCATCHES];
	uintptr_t relro_lo, relro_hi;
	bool found;
};

static void install_rela(struct install *in, const struct elf_peek_dyn *d, const ElfW(Rela) *r)
{
	unsigned type = ELF64_R_TYPE(r->r_info);
	const ElfW(Sym) *sym = &d->symtab[ELF64_R_SYM(r->r_info)];
	const char *name;

	if ((type != R_X86_64_JUMP_SLOT && type != R_X86_64_GLOB_DAT) || sym->st_shndx != SHN_UNDEF ||
	    sym->st_name >= d->strsz)
		return;
	name = d->strtab + sym->st_name;
	for (size_t i = 0; i < NCATCHES; i++)
		if (!strcmp(name, catches[i].name) && in->nslots[i] < SLOTS_PER_CATCH)
			in->slots[i][in->nslots[i]++] = (uintptr_t *)(d->bias + r->r_offset);
}

static int install_find(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct install *in = arg;
	const ElfW(Dyn) *dyn = NULL;
	struct elf_peek_dyn d;
	bool inside = false;
	size_t i;

	(void)size;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type == PT_LOAD && in->inside >= lo && in->inside < lo + ph->p_memsz)
			inside = true;
		else if (ph->p_type == PT_DYNAMIC)
			dyn = (const ElfW(Dyn) *)lo;
		else if (ph->p_type == PT_GNU_RELRO)
			in->relro_lo = lo, in->relro_hi = lo + ph->p_memsz;
	}
	if (!inside)
		return 0;
	in->found = true;
	if (!elf_peek_dynamic(dyn, info->dlpi_addr, &d))
		return 1;
	for (i = 0; i < d.njmprel; i++)
		install_rela(in, &d, &d.jmprel[i]);
	for (i = 0; i < d.nrela; i++)
		install_rela(in, &d, &d.rela[i]);
	return 1;
}

/* One aligned store; a slot in RELRO is made writable for it alone. */
static bool install_write(const struct install *in, uintptr_t *slot, void *fn)
{
	long pg = sysconf(_SC_PAGESIZE);
	void *page = (void *)((uintptr_t)slot & ~(uintptr_t)(pg - 1));
	bool relro = (uintptr_t)slot >= in->relro_lo && (uintptr_t)slot < in->relro_hi;

	if (relro && mprotect(page, (size_t)pg, PROT_READ | PROT_WRITE) < 0)
		return false;
	__atomic_store_n(slot, (uintptr_t)fn, __ATOMIC_RELEASE);
	if (relro)
		mprotect(page, (size_t)pg, PROT_READ);
	return true;
}

static bool installed;

static void install_once(void)
{
	struct install in;
	size_t i;
	int j;

	memset(&in, 0, sizeof in);
	in.inside = (uintptr_t)&memcached_create;
	dl_iterate_phdr(install_find, &in);
	/* All or none: a socket call left uncaught could reach a reused number. */
	for (i = 0; i < NCATCHES; i++)
		if (!in.nslots[i]) {
			log_warn("libmemcached's '%s' cannot be caught; its descriptors are not checked "
				 "and its timeouts count per poll", catches[i].name);
			return;
		}
	for (i = 0; i < NCATCHES; i++)
		for (j = 0; j < in.nslots[i]; j++)
			if (!install_write(&in, in.slots[i][j], catches[i].fn)) {
				log_warn("libmemcached's '%s' cannot be caught: %s", catches[i].name,
					 strerror(errno));
				return;
			}
	watch = fdwatch_find();
	installed = true;
}

bool mc_io_install(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, install_once);
	return installed;
}

/* ---- operations --------------------------------------------------------- */

bool mc_io_begin(struct mc_io *io, uint64_t timeout_ns, uint64_t now)
{
	bool lost = false;
	struct stat sb;
	uint64_t epoch;

	io_current = io;
	io->bad_length = false;
	mc_io_deadline(io, timeout_ns, now);
	if (watch && !io->low) {	/* else nothing tells: check */
		epoch = __atomic_load_n(&watch->epoch, __ATOMIC_SEQ_CST);
		if (epoch == io->epoch && __atomic_load_n(&scan_state, __ATOMIC_RELAXED) == SCAN_NONE)
			return false;
		if (scan_objects())
			io->epoch = epoch;	/* read before the check: a change during it is seen next time */
	}
	/* A socket is checked before libmemcached may use it: one whose number
	 * now names another file is forgotten, never closed. */
	for (int i = io->nsocks - 1; i >= 0; i--) {
		struct mc_io_sock *k = &io->socks[i];

		if (fstat(k->fd, &sb) < 0 || sb.st_dev != k->dev || sb.st_ino != k->ino) {
			log_debug("memcached socket %d is no longer libmemo's: left alone", k->fd);
			sock_forget(io, k);
			lost = true;
		}
	}
	return lost;
}

void mc_io_deadline(struct mc_io *io, uint64_t timeout_ns, uint64_t now)
{
	io->timeout = timeout_ns;
	io->deadline = now ? now + timeout_ns : 0;
	io->made = false;
}

void mc_io_end(struct mc_io *io)
{
	(void)io;
	io_current = NULL;
}
