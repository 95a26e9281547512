# mc: what the memcached tests (tests/t04*.sh) run.
# The store driver links only the modules it exercises (the memcached
# backend and log), so it builds and runs whatever state the rest is in.
$(TP)/unit/mc_store: tests/unit/mc_store.c $(MC_OBJ) $(B)/shim/log.o
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -Ishim -o $@ $^ $(MC_LIBS) $(PKG_LIBS) -lpthread
