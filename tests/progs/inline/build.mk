# Entry-patching targets (t05*): the inltest driver (a stand-in for libmemo's
# call path that links the real shim/inline.o and shim/entry.o), and programs
# whose bytes, build modes and callers are the cases tested.
INL := $(TP)/inline
INL_CFLAGS := -std=gnu11 -g -Wall -Wextra -Werror -Itests/progs
INL_DRIVER_OBJ := $(B)/shim/inline.o $(B)/shim/entry.o $(B)/shim/log.o

$(INL)/libinltest.so: tests/progs/inline/driver.c $(INL_DRIVER_OBJ)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -Ishim -shared -o $@ $^ $(LDLIBS_SHIM)

$(INL)/prologue: tests/progs/inline/prologue_main.c tests/progs/inline/prologue.S
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(INL_CFLAGS) -O2 -o $@ $^

TEST_PROGS += $(INL)/libinltest.so $(INL)/prologue

$(INL)/ipara: tests/progs/inline/ipara.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(INL_CFLAGS) -O2 -o $@ $<

TEST_PROGS += $(INL)/ipara
