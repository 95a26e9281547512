/*
 * guard: the re-entry flag's definition (guard.h says how it is used).
 */
#include "base/guard.h"

__thread int memo_busy __attribute__((tls_model("initial-exec")));
