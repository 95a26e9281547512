# mt: threads and fork against the shapes library (tests/progs/shapes).
TEST_PROGS += $(TP)/mt/mt
$(TP)/mt/mt: tests/progs/mt/mt.c $(TP)/shapes/libshapes.so
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O2 -g -pthread -o $@ $< -L$(TP)/shapes -lshapes -Wl,-rpath,$(TP)/shapes
TEST_PROGS += $(TP)/mt/fastloop
$(TP)/mt/fastloop: tests/progs/mt/fastloop.c $(TP)/shapes/libshapes.so
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O2 -g -o $@ $< -L$(TP)/shapes -lshapes -Wl,-rpath,$(TP)/shapes
