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

# libreach: one library, called by one program in two link modes: lazy PLT,
# and -fno-plt with full RELRO (calls through the GOT, read-only after start).
$(INL)/libreach.so: tests/progs/inline/libreach.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(INL_CFLAGS) -O2 -fPIC -shared -o $@ $<

# With endbr64: patched (at its dlopen, threads running) after 4 bytes, where
# the 5 bytes straddle 8-byte words.
$(INL)/libreach2.so: tests/progs/inline/libreach2.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(INL_CFLAGS) -O2 -fcf-protection=full -fPIC -shared -o $@ $<

$(INL)/reach: tests/progs/inline/reach_main.c $(INL)/libreach.so
	$(Q)$(CC) $(INL_CFLAGS) -O2 -o $@ $< -L$(INL) -lreach -Wl,-rpath,'$$ORIGIN' -ldl

$(INL)/reach-noplt: tests/progs/inline/reach_main.c $(INL)/libreach.so
	$(Q)$(CC) $(INL_CFLAGS) -O2 -fno-plt -Wl,-z,relro,-z,now -o $@ $< -L$(INL) -lreach \
		-Wl,-rpath,'$$ORIGIN' -ldl

TEST_PROGS += $(INL)/libreach.so $(INL)/libreach2.so $(INL)/reach $(INL)/reach-noplt

$(INL)/threads: tests/progs/inline/threads.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(INL_CFLAGS) -O2 -pthread -o $@ $< -ldl

TEST_PROGS += $(INL)/threads

# Stripped (no .symtab), exporting its functions (-rdynamic): static ones are
# out of reach, exported ones and libraries' are not.
$(INL)/reach-stripped: tests/progs/inline/reach_main.c $(INL)/libreach.so
	$(Q)$(CC) $(INL_CFLAGS) -O2 -rdynamic -o $@ $< -L$(INL) -lreach -Wl,-rpath,'$$ORIGIN' -ldl
	$(Q)strip $@

TEST_PROGS += $(INL)/reach-stripped
