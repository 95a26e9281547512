# trust: the security tests' target (t12xx): big_fill fills a buffer of any
# size (one entry, or memcached chunks), and libstall.so, a fault injector
# that stalls a cache write half-way so a test can SIGKILL the writer there.
TRUST_DIR := $(TP)/trust
TEST_PROGS += $(TRUST_DIR)/libtrust.so $(TRUST_DIR)/trust $(TRUST_DIR)/libstall.so
$(TRUST_DIR)/libtrust.so: tests/progs/trust/trust.c tests/progs/runs.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O2 -g -fPIC -shared -o $@ $<
$(TRUST_DIR)/trust: tests/progs/trust/trust_main.c $(TRUST_DIR)/libtrust.so
	$(Q)$(CC) -O2 -g -o $@ $< -L$(TRUST_DIR) -ltrust -Wl,-rpath,$(TRUST_DIR)
$(TRUST_DIR)/libstall.so: tests/progs/trust/stall.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O2 -g -fPIC -shared -o $@ $< -ldl
