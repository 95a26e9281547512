# GOT test targets (tests/t02*.sh): one library of hooked functions
# (libgotlib.so), callers built once per link mode, plugins loaded later with
# dlopen, a library wrapping libc with RTLD_NEXT, and the got_unit driver.
#   lazy   -z lazy: JUMP_SLOTs hold PLT stubs until the first call
#   relro  -z relro -z now: every slot read-only after start-up
#   noplt  -fno-plt + full RELRO: calls through GLOB_DAT slots
GOT_D := $(TP)/got
GOT_S := tests/progs/got
GOT_CC = $(CC) -std=gnu11 -O2 -g -fPIC -Wall -Wextra -Werror $(SANFLAGS)
GOT_LIB = -L$(GOT_D) -lgotlib
GOT_LAZY := -Wl,-z,lazy
GOT_RELRO := -Wl,-z,relro,-z,now
GOT_NOPLT := -fno-plt -Wl,-z,relro,-z,now
GOT_PLUGINS := $(GOT_D)/plugins/libgotplug.so $(foreach i,1 2 3 4,$(GOT_D)/plugins/libgotplug$(i).so)

$(GOT_D)/libgotlib.so: $(GOT_S)/gotlib.c $(GOT_S)/gotlib.map
	@mkdir -p $(dir $@)
	$(Q)$(GOT_CC) -shared -Wl,--version-script=$(GOT_S)/gotlib.map -o $@ $<

# callers find libgotlib next to them and plugins in plugins/ (DT_RUNPATH);
# no sibling calls: call_dlopen must be dlopen's caller, not a tail jump to it
GOT_CALL_LINK = -fno-optimize-sibling-calls -shared -Wl,--enable-new-dtags -Wl,-rpath,'$$ORIGIN:$$ORIGIN/plugins' $(GOT_LIB) -ldl
$(GOT_D)/libgotcall-lazy.so: $(GOT_S)/gotcall.c $(GOT_D)/libgotlib.so
	$(Q)$(GOT_CC) -o $@ $< $(GOT_LAZY) $(GOT_CALL_LINK)
$(GOT_D)/libgotcall-relro.so: $(GOT_S)/gotcall.c $(GOT_D)/libgotlib.so
	$(Q)$(GOT_CC) -o $@ $< $(GOT_RELRO) $(GOT_CALL_LINK)
$(GOT_D)/libgotcall-noplt.so: $(GOT_S)/gotcall.c $(GOT_D)/libgotlib.so
	$(Q)$(GOT_CC) -o $@ $< $(GOT_NOPLT) $(GOT_CALL_LINK)

# plugins: default (lazy, partial RELRO) links; found by their callers' RUNPATH
$(GOT_D)/plugins/%.so: $(GOT_S)/gotplug.c $(GOT_D)/libgotlib.so
	@mkdir -p $(dir $@)
	$(Q)$(GOT_CC) -shared -o $@ $< -Wl,--enable-new-dtags -Wl,-rpath,'$$ORIGIN/..' $(GOT_LIB)

GOT_PROG_LINK = -Wl,--enable-new-dtags -Wl,-rpath,'$$ORIGIN' $(GOT_LIB)
$(GOT_D)/gotprog-lazy: $(GOT_S)/gotprog.c $(GOT_D)/libgotlib.so
	$(Q)$(GOT_CC) -o $@ $< $(GOT_LAZY) $(GOT_PROG_LINK)
$(GOT_D)/gotprog-relro: $(GOT_S)/gotprog.c $(GOT_D)/libgotlib.so
	$(Q)$(GOT_CC) -o $@ $< $(GOT_RELRO) $(GOT_PROG_LINK)
$(GOT_D)/gotprog-noplt: $(GOT_S)/gotprog.c $(GOT_D)/libgotlib.so
	$(Q)$(GOT_CC) -o $@ $< $(GOT_NOPLT) $(GOT_PROG_LINK)
$(GOT_D)/gotprog-plugin: $(GOT_S)/gotplugprog.c $(GOT_PLUGINS)
	$(Q)$(GOT_CC) -o $@ $< -Wl,--enable-new-dtags -Wl,-rpath,'$$ORIGIN/plugins' -ldl

$(GOT_D)/libwrapnext.so: $(GOT_S)/wrapnext.c
	@mkdir -p $(dir $@)
	$(Q)$(GOT_CC) -shared -o $@ $< -ldl
$(GOT_D)/gotprog-next: $(GOT_S)/nextprog.c $(GOT_D)/libwrapnext.so $(GOT_D)/libgotlib.so
	$(Q)$(GOT_CC) -o $@ $< -L$(GOT_D) -lwrapnext $(GOT_PROG_LINK) -ldl

$(GOT_D)/got_unit: $(GOT_S)/got_unit.c $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(MC_LIBS) $(LDLIBS_CORE)

TEST_PROGS += $(GOT_D)/libgotlib.so $(GOT_D)/libgotcall-lazy.so $(GOT_D)/libgotcall-relro.so \
	$(GOT_D)/libgotcall-noplt.so $(GOT_PLUGINS) $(GOT_D)/gotprog-lazy $(GOT_D)/gotprog-relro \
	$(GOT_D)/gotprog-noplt $(GOT_D)/gotprog-plugin $(GOT_D)/libwrapnext.so $(GOT_D)/gotprog-next \
	$(GOT_D)/got_unit
