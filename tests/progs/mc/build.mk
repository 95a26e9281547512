# mc: what the memcached tests (tests/t04*.sh) run.
# The store driver links only the modules it exercises (the memcached
# backend and the base modules it calls), so it builds and runs whatever state
# the rest is in.
$(TP)/unit/mc_store: tests/unit/mc_store.c $(MC_OBJ) $(MC_BASE_OBJ)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(MC_LIBS) $(PKG_LIBS) -lpthread

# The end-to-end target: mcmain calling libmcwork.so through its PLT.
MC_DIR := $(TP)/mc
TEST_PROGS += $(MC_DIR)/libmcwork.so $(MC_DIR)/mcmain
$(MC_DIR)/libmcwork.so: tests/progs/mc/mcwork.c tests/progs/runs.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O2 -g -fPIC -shared -o $@ $<
$(MC_DIR)/mcmain: tests/progs/mc/mcmain.c $(MC_DIR)/libmcwork.so
	$(Q)$(CC) -O2 -g -o $@ $< -L$(MC_DIR) -lmcwork -Wl,--enable-new-dtags -Wl,-rpath,'$$ORIGIN'
