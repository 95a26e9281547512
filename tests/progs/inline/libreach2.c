/* Loaded by dlopen after start (t0503, t0504): its functions are patched then.
 * Built with -fcf-protection: entries start with endbr64. */
#include "runs.h"

long inl_late(long x) { test_ran("inl_late"); return x * x + 3; }
