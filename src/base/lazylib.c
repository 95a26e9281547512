/*
 * lazylib: a library loaded at its first call (see lazylib.h).
 */
#include "base/lazylib.h"

#include <dlfcn.h>
#include <pthread.h>

#include "base/log.h"

/* Serializes the loads; held only while one is made. */
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

/* Under load_lock: dlopen (RTLD_LOCAL: the program's own lookups never find
 * it) and every name; -1 said when one fails. The handle is kept: its
 * addresses are in fns for the process's life. */
static int load(struct lazylib *lib)
{
	void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	size_t i;

	if (!h) {
		log_warn("cannot load '%s': %s; %s", lib->soname, dlerror(), lib->without);
		return -1;
	}
	for (i = 0; i < lib->n; i++)
		if (!(lib->fns[i] = dlsym(h, lib->names[i]))) {
			log_warn("'%s' has no '%s'; %s", lib->soname, lib->names[i], lib->without);
			return -1;
		}
	return 1;
}

bool lazylib_ready(struct lazylib *lib)
{
	int state = __atomic_load_n(&lib->state, __ATOMIC_ACQUIRE);

	if (state)
		return state > 0;
	pthread_mutex_lock(&load_lock);
	if (!(state = __atomic_load_n(&lib->state, __ATOMIC_ACQUIRE))) {
		state = load(lib);
		__atomic_store_n(&lib->state, state, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&load_lock);
	return state > 0;
}
