# Entry-patching targets (t05*): programs run under libmemo whose bytes, build
# modes and callers are the cases tested. Each reports body runs (runs.h).
INL := $(TP)/inline
INL_CFLAGS := -std=gnu11 -g -Wall -Wextra -Werror -Itests/progs -Itests/progs/inline
INL_H := tests/progs/runs.h tests/progs/inline/bt.h

$(INL)/prologue: tests/progs/inline/prologue_main.c tests/progs/inline/prologue.S
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(INL_CFLAGS) -O2 -o $@ $^

$(INL)/ipara: tests/progs/inline/ipara.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(INL_CFLAGS) -O2 -o $@ $<

# Every AVX-512 register and MXCSR kept across memoized calls (t0426).
$(INL)/vecstate: tests/progs/inline/vecstate.c tests/progs/inline/vecstate_call.S
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(INL_CFLAGS) -O2 -o $@ $^

TEST_PROGS += $(INL)/prologue $(INL)/ipara $(INL)/vecstate

# libreach: one library, called by one program in two link modes: lazy PLT,
# and -fno-plt with full RELRO (calls through the GOT, read-only after start).
$(INL)/libreach.so: tests/progs/inline/libreach.c $(INL_H)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(INL_CFLAGS) -O2 -fPIC -shared -o $@ $< -lunwind

# With endbr64: patched (at its dlopen, threads running) after 4 bytes, where
# the 5 bytes straddle 8-byte words.
$(INL)/libreach2.so: tests/progs/inline/libreach2.c $(INL_H)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(INL_CFLAGS) -O2 -fcf-protection=full -fPIC -shared -o $@ $<

$(INL)/reach: tests/progs/inline/reach_main.c $(INL)/libreach.so $(INL_H)
	$(Q)$(CC) $(INL_CFLAGS) -O2 -o $@ $< -L$(INL) -lreach -Wl,-rpath,'$$ORIGIN' -ldl -lm -lunwind

$(INL)/reach-noplt: tests/progs/inline/reach_main.c $(INL)/libreach.so $(INL_H)
	$(Q)$(CC) $(INL_CFLAGS) -O2 -fno-plt -Wl,-z,relro,-z,now -o $@ $< -L$(INL) -lreach \
		-Wl,-rpath,'$$ORIGIN' -ldl -lm -lunwind

TEST_PROGS += $(INL)/libreach.so $(INL)/libreach2.so $(INL)/reach $(INL)/reach-noplt

$(INL)/threads: tests/progs/inline/threads.c tests/progs/runs.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(INL_CFLAGS) -O2 -pthread -o $@ $< -ldl

# Stripped (no .symtab), exporting its functions (-rdynamic): static ones are
# out of reach, exported ones and libraries' are not.
$(INL)/reach-stripped: tests/progs/inline/reach_main.c $(INL)/libreach.so $(INL_H)
	$(Q)$(CC) $(INL_CFLAGS) -O2 -rdynamic -o $@ $< -L$(INL) -lreach -Wl,-rpath,'$$ORIGIN' \
		-ldl -lm -lunwind
	$(Q)strip $@

# An ordinary unstripped -O2 executable with a static function (memo run).
$(INL)/app: tests/progs/inline/app.c tests/progs/runs.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=gnu11 -Wall -Wextra -Werror -Itests/progs -O2 -o $@ $<

TEST_PROGS += $(INL)/threads $(INL)/reach-stripped $(INL)/app

# A memoized recursion under a small stack (t0510).
$(INL)/stack: tests/progs/inline/stack.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(INL_CFLAGS) -O2 -pthread -o $@ $<

TEST_PROGS += $(INL)/stack

# A library whose constructor's thread spins in race_f while its dlopen
# returns and race_f is patched (t0511).
$(INL)/race_plug.so: tests/progs/inline/race_plug.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(INL_CFLAGS) -O2 -fPIC -shared -pthread -o $@ $<

$(INL)/race_host: tests/progs/inline/race_host.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(INL_CFLAGS) -O2 -o $@ $< -ldl

TEST_PROGS += $(INL)/race_plug.so $(INL)/race_host

# A memoized function on small stacks: threads, coroutines, a sigaltstack (t0512).
$(INL)/smallstack: tests/progs/inline/smallstack.c tests/progs/runs.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(INL_CFLAGS) -O2 -pthread -o $@ $<

TEST_PROGS += $(INL)/smallstack
