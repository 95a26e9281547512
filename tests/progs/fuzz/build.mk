# fuzz: the libFuzzer targets of tests/fuzz/, built with the suite's compiler
# and flags (SAN=1 too) around a plain main (tests/fuzz/replay.c), so t1206
# replays the committed corpus on every `make test` without clang.
FUZZ_REPLAY := $(patsubst %,$(TP)/fuzz/replay-%,config proto value)
TEST_PROGS += $(FUZZ_REPLAY)
$(TP)/fuzz/replay-%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(MC_LIBS) $(LDLIBS_CORE)
