# noisy: stochastic functions for the repeated-evaluation tests.
TEST_PROGS += $(TP)/noisy/libnoisy.so $(TP)/noisy/noisy
$(TP)/noisy/libnoisy.so: tests/progs/noisy/noisy.c tests/progs/runs.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O2 -g -fPIC -shared -o $@ $< -lm
$(TP)/noisy/noisy: tests/progs/noisy/noisy_main.c $(TP)/noisy/libnoisy.so
	$(Q)$(CC) -O2 -g -pthread -o $@ $< -L$(TP)/noisy -lnoisy -Wl,-rpath,$(TP)/noisy
# flight: deterministic slow functions for the single-flight tests.
TEST_PROGS += $(TP)/noisy/libflight.so $(TP)/noisy/flight $(TP)/noisy/noisy_mix
$(TP)/noisy/libflight.so: tests/progs/noisy/flight.c tests/progs/runs.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O2 -g -fPIC -shared -o $@ $<
$(TP)/noisy/flight: tests/progs/noisy/flight_main.c $(TP)/noisy/libflight.so
	$(Q)$(CC) -O2 -g -pthread -o $@ $< -L$(TP)/noisy -lflight -Wl,-rpath,$(TP)/noisy
$(TP)/noisy/noisy_mix: tests/progs/noisy/noisy_mix.c $(TP)/noisy/libnoisy.so
	$(Q)$(CC) -O2 -g -o $@ $< -L$(TP)/noisy -lnoisy -Wl,-rpath,$(TP)/noisy
# flight_escape, flight_throw: callers that leave a single-flight call
# without ending it (cancellation, longjmp, a C++ exception).
TEST_PROGS += $(TP)/noisy/flight_escape $(TP)/noisy/flight_throw
$(TP)/noisy/flight_escape: tests/progs/noisy/flight_escape.c $(TP)/noisy/libflight.so
	$(Q)$(CC) -O2 -g -pthread -o $@ $< -L$(TP)/noisy -lflight -Wl,-rpath,$(TP)/noisy
$(TP)/noisy/flight_throw: tests/progs/noisy/flight_throw.cc $(TP)/noisy/libflight.so
	$(Q)$(CXX) -O2 -g -pthread -o $@ $< -L$(TP)/noisy -lflight -Wl,-rpath,$(TP)/noisy
