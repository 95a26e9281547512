/*
 * runtime: the engine's process-wide state (runtime.h says who writes and
 * who reads each part) and the lock that serializes changes to it.
 */
#include "call/runtime.h"

int memo_state;
const struct memo_config *memo_cfg;
struct store *memo_store;
struct hook *hooks;
struct stats_shards *hooks_stats;
int nhooks, hooks_cap;
pid_t runtime_pid;

static pthread_mutex_t runtime_mutex = PTHREAD_MUTEX_INITIALIZER;

int runtime_lock(void)
{
	int was = guard_take();

	pthread_mutex_lock(&runtime_mutex);
	return was;
}

void runtime_unlock(int guard_was)
{
	pthread_mutex_unlock(&runtime_mutex);
	guard_restore(guard_was);
}

void runtime_before_fork(void)
{
	pthread_mutex_lock(&runtime_mutex);
}

void runtime_after_fork(void)
{
	pthread_mutex_unlock(&runtime_mutex);
}
