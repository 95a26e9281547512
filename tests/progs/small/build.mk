# small: what the tests of the store of small entries run: under concurrent
# writers (tests/t0313*.sh), smallfill calling libsmallwork.so through its
# PLT; for hits hours after their writes (t0315), libclockshift.so, the wall
# clock moved forward.
SMALL_DIR := $(TP)/small
TEST_PROGS += $(SMALL_DIR)/libsmallwork.so $(SMALL_DIR)/smallfill $(SMALL_DIR)/libclockshift.so
$(SMALL_DIR)/libclockshift.so: tests/progs/small/clockshift.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O2 -g -fPIC -shared -o $@ $< -ldl
$(SMALL_DIR)/libsmallwork.so: tests/progs/small/smallwork.c tests/progs/runs.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O2 -g -fPIC -shared -o $@ $<
$(SMALL_DIR)/smallfill: tests/progs/small/smallfill.c $(SMALL_DIR)/libsmallwork.so
	$(Q)$(CC) -O2 -g -o $@ $< -L$(SMALL_DIR) -lsmallwork -Wl,--enable-new-dtags -Wl,-rpath,'$$ORIGIN'
