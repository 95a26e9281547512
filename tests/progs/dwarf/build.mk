# dwarf: the debug-info tests' library, built with -g, and its caller
# (t0111 wrong prototypes, t1303 opaque arguments read through).
DWARF_DIR := $(TP)/dwarf
TEST_PROGS += $(DWARF_DIR)/libintegrate.so $(DWARF_DIR)/dwarfprog

$(DWARF_DIR)/libintegrate.so: tests/progs/dwarf/integrate.c tests/progs/dwarf/integrate.h tests/progs/runs.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O2 -g -fPIC -shared -o $@ $<

$(DWARF_DIR)/dwarfprog: tests/progs/dwarf/integrate_main.c $(DWARF_DIR)/libintegrate.so
	$(Q)$(CC) -O2 -g -o $@ $< -L$(DWARF_DIR) -lintegrate -Wl,-rpath,$(DWARF_DIR)

# vsum(std::vector<double> const &): the C++ reference an `opaque` cannot follow
TEST_PROGS += $(DWARF_DIR)/libvec.so
$(DWARF_DIR)/libvec.so: tests/progs/dwarf/vec.cc tests/progs/runs.h
	@mkdir -p $(dir $@)
	$(Q)$(CXX) -O2 -g -fPIC -shared -o $@ $<
