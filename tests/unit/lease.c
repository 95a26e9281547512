/*
 * Unit driver for the single-flight lease of the stores (store.h `lease`;
 * src/store/store_folder.c, src/store/store_memcached.c, layered in src/store/store.c):
 * one command per run, driven by tests/t1105-flight-lease.sh.
 * Calls store.h only (and records.h's lease prefix). One thread per process;
 * races are between processes.
 *
 *   lease [-d DIR] [-s SERVERS] CMD NAME OWNER [TTL_MS]
 *     take NAME OWNER TTL_MS   prints hit (taken), conflict (live, another's) or error
 *     drop NAME OWNER          prints hit (dropped), miss (not ours, or none) or error
 *   NAME becomes the lease key "lease1-NAME" of the entry key "NAME"
 *   (NAME: [A-Za-z0-9_.-]).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/records.h"
#include "store/store.h"


static const char *result(int r)
{
	return r == STORE_HIT ? "hit" : r == STORE_MISS ? "miss" :
	       r == STORE_CONFLICT ? "conflict" : r == STORE_TIMEOUT ? "timeout" : "error";
}

int main(int argc, char **argv)
{
	struct cache_config c = { .connect_timeout_ms = 500, .timeout_ms = 2000, .stats = "",
				  .namespace_ = "", .sasl_user = "", .servers = "", .dir = "",
				  .secret_file = "", .sasl_password_file = "" };
	struct memo_stats st = { 0 };
	struct memo_key e = { 0 }, k = { 0 };
	struct store *s;
	int opt, r;

	while ((opt = getopt(argc, argv, "d:s:")) != -1) {
		if (opt == 'd')
			c.dir = optarg;
		else if (opt == 's')
			c.servers = optarg;
		else
			return 2;
	}
	if (argc - optind < 3 || (!strcmp(argv[optind], "take") && argc - optind < 4)) {
		fprintf(stderr, "usage: lease [-d DIR] [-s SERVERS] take|drop NAME OWNER [TTL_MS]\n");
		return 2;
	}
	c.file = "lease";
	store_memcached_opener = memo_store_memcached_open;
	s = store_open(&c);
	if (!s || !s->ops->lease) {
		printf("error\n");
		return 1;
	}
	e.textlen = snprintf(e.text, sizeof e.text, "%s", argv[optind + 1]);
	k.textlen = snprintf(k.text, sizeof k.text, RECORDS_LEASE_PREFIX "%s", argv[optind + 1]);
	r = s->ops->lease(s, &e, &k, strtoull(argv[optind + 2], NULL, 10),
			  !strcmp(argv[optind], "take") ? atoi(argv[optind + 3]) : 0, &st);
	printf("%s\n", result(r));
	store_free(s);
	return 0;
}
