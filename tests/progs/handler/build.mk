# handler: programs whose signal handlers call memoized functions (t08*).
# grow's own allocator aborts inside its handler; under ASan (SAN=1) it is
# left out (PLAIN_HEAP): ASan's allocator must be the only one.
HANDLER := $(TP)/handler
TEST_PROGS += $(HANDLER)/grow
$(HANDLER)/grow: tests/progs/handler/grow.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror $(if $(filter 1,$(SAN)),-DPLAIN_HEAP) -pthread -o $@ $<
