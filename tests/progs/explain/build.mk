# explain: the program of the verify and inspect tests (t13xx): debug info
# for `memo inspect`'s DWARF prototypes, functions exported (-rdynamic) so the
# engine finds them in the executable.
TEST_PROGS += $(TP)/explain/impure
$(TP)/explain/impure: tests/progs/explain/impure.c tests/progs/runs.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O2 -g -rdynamic -o $@ $<
