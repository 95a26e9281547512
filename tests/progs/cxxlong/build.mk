# cxxlong: the C++ library of t1425-t1426, a function whose name runs to
# thousands of characters (tall.h), and its caller. Built only where a C++
# compiler is (the tests skip, saying so, without one).
CXXLONG_DIR := $(TP)/cxxlong
ifneq ($(shell command -v $(CXX) 2>/dev/null),)
TEST_PROGS += $(CXXLONG_DIR)/libtall.so $(CXXLONG_DIR)/tallprog

$(CXXLONG_DIR)/libtall.so: tests/progs/cxxlong/tall.cc tests/progs/cxxlong/tall.h tests/progs/runs.h
	@mkdir -p $(dir $@)
	$(Q)$(CXX) -O2 -g -fPIC -shared -o $@ $<

$(CXXLONG_DIR)/tallprog: tests/progs/cxxlong/tallprog.cc tests/progs/cxxlong/tall.h $(CXXLONG_DIR)/libtall.so
	$(Q)$(CXX) -O2 -g -o $@ $< -L$(CXXLONG_DIR) -ltall -Wl,-rpath,$(CXXLONG_DIR)
endif
