# libFuzzer targets (tests/fuzz/fuzz_*.c): `make fuzz` builds them with clang,
# ASan and UBSan into $(FUZZ_B); `make fuzz-run` runs each for FUZZ_SECONDS
# from its committed seed corpus (tests/fuzz/run). Included by the Makefile.
FUZZ_CC ?= clang-14
FUZZ_B ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_NAMES := config proto value
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
# -MMD -MP: an object is rebuilt when a header it includes changes (a stale
# one was fuzzed against an old struct's layout)
FUZZ_CFLAGS = -std=gnu11 $(WARN) -O1 -g $(FUZZ_SAN) -D_GNU_SOURCE -MMD -MP -Isrc $(PKG_CFLAGS)
# The modules the targets reach, built for fuzzing (coverage, sanitizers).
FUZZ_SRC := $(addprefix $(FUZZ_B)/src/,config/config.o config/proto.o config/strpool.o config/types.o \
	store/value.o store/key.o store/cxx_layout.o store/treehash.o store/blake2b_x4.o store/blake2b_one.o \
	base/log.o base/util.o base/b2.o)
FUZZ_BINS := $(FUZZ_NAMES:%=$(FUZZ_B)/fuzz_%)

$(FUZZ_B)/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZCC  $<")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -fvisibility=hidden -c -o $@ $<

$(FUZZ_B)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_SRC)
	@$(if $(Q),echo "  FUZZLD  $@")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS)

fuzz-deps:
	@tools/install-deps.sh fuzz

fuzz: fuzz-deps
	$(Q)$(MAKE) --no-print-directory $(FUZZ_BINS)

fuzz-run: fuzz
	$(Q)tests/fuzz/run $(FUZZ_B) $(FUZZ_SECONDS) $(FUZZ_NAMES)

fuzz-clean:
	rm -rf $(FUZZ_B)
clean: fuzz-clean

.PHONY: fuzz-deps fuzz fuzz-run fuzz-clean
# The modules' objects are intermediate to make: keep them between builds.
.SECONDARY: $(FUZZ_SRC)
-include $(FUZZ_SRC:.o=.d) $(FUZZ_BINS:=.d)
