# structs: structs and complex values by value and by pointer (t1410-t1413),
# the library built with -g so the prototypes are checked against DWARF.
STRUCTS_DIR := $(TP)/structs
TEST_PROGS += $(STRUCTS_DIR)/libstructs.so $(STRUCTS_DIR)/structs_main

$(STRUCTS_DIR)/libstructs.so: tests/progs/structs/structs.c tests/progs/structs/structs.h tests/progs/runs.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O2 -g -fPIC -shared -o $@ $<

$(STRUCTS_DIR)/structs_main: tests/progs/structs/structs_main.c $(STRUCTS_DIR)/libstructs.so
	$(Q)$(CC) -O2 -g -o $@ $< -L$(STRUCTS_DIR) -lstructs -Wl,-rpath,$(STRUCTS_DIR) -lm

# IPA-RA callers of struct-returning local functions (t1415)
TEST_PROGS += $(STRUCTS_DIR)/ipara
$(STRUCTS_DIR)/ipara: tests/progs/structs/ipara.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O2 -g -o $@ $<
