# big: one function of a large inout array (t0017-t0019, bench/run).
TEST_PROGS += $(TP)/big/big
$(TP)/big/big: tests/progs/big/big.c tests/progs/runs.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O2 -g -o $@ $<
TEST_PROGS += $(TP)/big/nosodium/libsodium.so.23
$(TP)/big/nosodium/libsodium.so.23: tests/progs/big/nosodium.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) -shared -fPIC -o $@ $<
