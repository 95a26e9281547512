# cxx: the C++ library of t1420-t1423 (namespaces, overloads, a long
# mangled name, std::vector and std::string inputs, a std::string return),
# its caller, and a C program that must never map libstdc++. Built only
# where a C++ compiler is (the tests skip, saying so, without one).
CXX_DIR := $(TP)/cxx
ifneq ($(shell command -v $(CXX) 2>/dev/null),)
TEST_PROGS += $(CXX_DIR)/libmodel.so $(CXX_DIR)/cxxprog

$(CXX_DIR)/libmodel.so: tests/progs/cxx/model.cc tests/progs/cxx/model.h tests/progs/runs.h
	@mkdir -p $(dir $@)
	$(Q)$(CXX) -O2 -g -fPIC -shared -o $@ $<

$(CXX_DIR)/cxxprog: tests/progs/cxx/cxxprog.cc $(CXX_DIR)/libmodel.so
	$(Q)$(CXX) -O2 -g -o $@ $< -L$(CXX_DIR) -lmodel -Wl,-rpath,$(CXX_DIR)

# the old std::string ABI: one pointer (t1421)
TEST_PROGS += $(CXX_DIR)/oldabi
$(CXX_DIR)/oldabi: tests/progs/cxx/oldabi.cc tests/progs/runs.h
	@mkdir -p $(dir $@)
	$(Q)$(CXX) -O2 -g -D_GLIBCXX_USE_CXX11_ABI=0 -o $@ $<
endif

TEST_PROGS += $(CXX_DIR)/cprog
$(CXX_DIR)/cprog: tests/progs/cxx/cprog.c tests/progs/runs.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O2 -g -o $@ $<
