# lapack-main (issue 15): dgesv_ and dsyev_ from C, through Debian's
# liblapack3 (reference LAPACK or OpenBLAS's, whichever the alternatives
# choose). Built only where liblapack.so.3 is installed; t1402 skips without it.
LAPACK_SO := $(firstword $(wildcard /usr/lib/x86_64-linux-gnu/liblapack.so.3 /usr/lib/liblapack.so.3))
ifneq ($(LAPACK_SO),)
TEST_PROGS += $(TP)/lapack/lapack-main

$(TP)/lapack/lapack-main: tests/progs/lapack/lapack_main.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O2 -g -o $@ $< -l:liblapack.so.3
endif
