# noisy: stochastic functions for the repeated-evaluation tests.
TEST_PROGS += $(TP)/noisy/libnoisy.so $(TP)/noisy/noisy
$(TP)/noisy/libnoisy.so: tests/progs/noisy/noisy.c tests/progs/runs.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O2 -g -fPIC -shared -o $@ $< -lm
$(TP)/noisy/noisy: tests/progs/noisy/noisy_main.c $(TP)/noisy/libnoisy.so
	$(Q)$(CC) -O2 -g -pthread -o $@ $< -L$(TP)/noisy -lnoisy -Wl,-rpath,$(TP)/noisy
