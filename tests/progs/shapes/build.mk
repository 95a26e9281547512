# The shapes library and its caller, in the link modes of issue 2:
#   shapes-lazy     PLT calls, lazy binding, partial RELRO
#   shapes-now      PLT calls, full RELRO
#   shapes-noplt    -fno-plt (calls through GOT slots) with full RELRO
SHAPES_DIR := $(TP)/shapes
SHAPES_LIB := $(SHAPES_DIR)/libshapes.so
SHAPES_BINS := $(SHAPES_DIR)/shapes-lazy $(SHAPES_DIR)/shapes-now $(SHAPES_DIR)/shapes-noplt
TEST_PROGS += $(SHAPES_LIB) $(SHAPES_BINS)

$(SHAPES_LIB): tests/progs/shapes/shapes.c tests/progs/shapes/shapes.h tests/progs/runs.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O2 -g -fPIC -shared -o $@ $< -lm

$(SHAPES_DIR)/shapes-lazy: tests/progs/shapes/shapes_main.c $(SHAPES_LIB)
	$(Q)$(CC) -O2 -g -o $@ $< -L$(SHAPES_DIR) -lshapes -Wl,-rpath,$(SHAPES_DIR) -Wl,-z,lazy -Wl,-z,norelro
$(SHAPES_DIR)/shapes-now: tests/progs/shapes/shapes_main.c $(SHAPES_LIB)
	$(Q)$(CC) -O2 -g -o $@ $< -L$(SHAPES_DIR) -lshapes -Wl,-rpath,$(SHAPES_DIR) -Wl,-z,relro,-z,now
$(SHAPES_DIR)/shapes-noplt: tests/progs/shapes/shapes_main.c $(SHAPES_LIB)
	$(Q)$(CC) -O2 -g -fno-plt -o $@ $< -L$(SHAPES_DIR) -lshapes -Wl,-rpath,$(SHAPES_DIR) -Wl,-z,relro,-z,now
