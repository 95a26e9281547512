# t0118's target: one program in two builds of one file size (decode/stale.c).
DEC := $(TP)/decode
DEC_CFLAGS := -std=gnu11 -g -Wall -Wextra -Werror -O2

$(DEC)/stale1: tests/progs/decode/stale.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(DEC_CFLAGS) -DVARIANT=1 -o $@ $<

$(DEC)/stale2: tests/progs/decode/stale.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(DEC_CFLAGS) -DVARIANT=2 -o $@ $<

TEST_PROGS += $(DEC)/stale1 $(DEC)/stale2
