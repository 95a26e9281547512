/*
 * b2: libb2's BLAKE2b, its code picked from glibc's record of the CPU
 * (b2.h says why).
 */
#include "base/b2.h"

#include <sys/platform/x86.h>

bool b2_avx;

/* Read as CPU_FEATURE_ACTIVE does but with an unsigned shift: glibc's
 * header shifts a signed 1, undefined for bit 31, AVX512VL's (UBSan says
 * so under `make asan`). */
bool b2_cpu_active(unsigned index)
{
	const struct cpuid_feature *f = __x86_get_cpuid_feature_leaf(index / 128);

	return f->active_array[(index % 128) / 32] >> (index % 32) & 1;
}

__attribute__((constructor)) static void b2_pick(void)
{
	b2_avx = b2_cpu_active(x86_cpu_AVX) && blake2b_init_avx && blake2b_init_key_avx &&
		 blake2b_update_avx && blake2b_final_avx && blake2b_avx;
}
