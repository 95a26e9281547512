# libmemo — see README.md. `make help` lists the targets.
#
# Outputs go to $(B) (default build/; SAN=1 uses build-san/ and builds with
# AddressSanitizer and UndefinedBehaviorSanitizer). Quiet unless V=1.

SAN ?= 0
ifeq ($(SAN),1)
B ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
B ?= build
SANFLAGS :=
endif
# One spelling of every output's path however B is given (build, ./build,
# $PWD/build): the compiler's dependency files name their targets by it,
# and a target spelled otherwise does not see them (a header changed, the
# objects that include it not rebuilt, linked with those that were).
override B := $(abspath $(B))

VERSION := 0.1.0
PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
ifeq ($(V),1)
Q :=
else
Q := @
endif

PKGS := libb2 libelf libffi inih libdw lmdb
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
MC_CFLAGS = $(shell pkg-config --cflags libmemcached 2>/dev/null)
MC_LIBS = $(shell pkg-config --libs libmemcached 2>/dev/null)

WARN := -Wall -Wextra -Wstrict-prototypes -Werror
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(SANFLAGS) -fPIC -D_GNU_SOURCE -MMD -MP -Isrc $(PKG_CFLAGS)
# -fno-math-errno: libmemo never reads errno after math; sqrt and llrint are
# then single instructions, and the engine need not load libm.
# -fdata-sections: each variable a section of its own, which the engine's
# link sorts by alignment (below).
SRC_CFLAGS = $(ALL_CFLAGS) -fdata-sections -fvisibility=hidden -ftls-model=initial-exec -fno-math-errno
# libiberty (Debian's libiberty-dev: a static archive, PIC) demangles C++
# names (src/find/cxx_name.c) without loading libstdc++ into a C process.
LDLIBS_CORE = $(PKG_LIBS) -l:libiberty.a -lZydis -ldl -lpthread -lm
# The objects loaded into host processes take libb2 and libffi from Debian's
# static archives, their symbols hidden: each shared library is an object
# more for the loader in every memoizing process (libb2's also brings
# libgomp), ~0.35 ms of start-up together. libelf and Zydis have no PIC
# archive on Debian and stay shared; libelf (with libz), Zydis and liblmdb
# (with libpthread) are not even linked: dlopened at the engine's first call
# into them (src/base/lazylib.h), so a start-up that needs none loads none.
# xxHash (Debian's libxxhash-dev: XXH3, a value's check without a secret,
# src/store/value.c) is its header only, every function inlined
# (XXH_INLINE_ALL): no libxxhash.so in a host process either.
STATIC_LIBS = -Wl,--exclude-libs,ALL -Wl,-Bstatic -lb2 -lffi_pic -Wl,-Bdynamic
ENGINE_LIBS = $(STATIC_LIBS) -l:libiberty.a -ldl -lpthread

# The preload (libmemo.so) is small: it reads the config and loads the
# engine (libmemo-engine.so: everything else) only where a configured
# function may be; the memcached backend is its own object, loaded only when
# `servers` is configured (see src/boot/engine.h, src/store/store.h).
# Sources live in src/<layer>/ (ARCHITECTURE.md); `make check-layers` checks
# that each object calls only into its own layer or lower ones.
LAYERS := base config find store call patch boot cmd
ENGINE_LAYERS := base config find store call patch boot
SRC_C := $(foreach l,$(ENGINE_LAYERS),$(wildcard src/$(l)/*.c))
SRC_S := $(foreach l,$(ENGINE_LAYERS),$(wildcard src/$(l)/*.S))
SRC_OBJ := $(patsubst %.c,$(B)/%.o,$(filter-out src/store/store_memcached.c src/store/mc_io.c \
	src/find/dwarf.c,$(SRC_C))) $(SRC_S:%.S=$(B)/%.o)
PRELOAD_OBJ := $(addprefix $(B)/src/,boot/preload.o boot/sigview.o boot/fdwatch.o base/log.o config/config.o config/proto.o config/strpool.o config/types.o \
	find/elf_peek.o find/run_report.o)
ENGINE_OBJ := $(filter-out $(B)/src/boot/preload.o $(B)/src/boot/sigview.o $(B)/src/boot/fdwatch.o,$(SRC_OBJ))
MC_OBJ := $(B)/src/store/store_memcached.o $(B)/src/store/mc_io.o
# The debug info reader (libdw and its compression libraries): its own
# object, loaded by find/signature.c only when a verdict is not cached.
DWARF_OBJ := $(B)/src/find/dwarf.o
# What the memcached backend calls below the store layer: linked with it into
# its object, and into the drivers that test it alone.
MC_BASE_OBJ := $(B)/src/base/log.o $(B)/src/base/util.o $(B)/src/base/b2.o $(B)/src/find/elf_peek.o
# The memo command and the unit drivers take the engine's modules they need
# from an archive (never boot/, the start-up of the two objects).
TOOL_C := $(wildcard src/cmd/*.c)
TOOL_OBJ := $(TOOL_C:%.c=$(B)/%.o)
CORE_LIB := $(B)/libmemo-core.a

$(B)/src/cmd/memo.o: SRC_CFLAGS += -DMEMO_VERSION='"$(VERSION)"'

all: $(B)/libmemo.so $(B)/libmemo-engine.so $(B)/libmemo-memcached.so $(B)/libmemo-dwarf.so \
	$(B)/memo

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(SRC_CFLAGS) $(MC_CFLAGS) -c -o $@ $<

$(B)/%.o: %.S
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(CC) $(SANFLAGS) -fPIC -MMD -MP -Isrc -c -o $@ $<

# entry.S runs l1_hit.c's code before saving any vector register: it must
# use general registers only and call nothing (a sanitizer's checks would be
# calls), which the disassembly must show.
$(B)/src/call/l1_hit.o: src/call/l1_hit.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(filter-out $(SANFLAGS),$(SRC_CFLAGS)) -mgeneral-regs-only \
		-fno-tree-loop-distribute-patterns -c -o $@ $<
	$(Q)if objdump -dr $@ | grep -E 'R_X86_64_PLT32|call +\*|%[xyz]mm|%st|%mm|%k[0-7]'; then \
		echo "$@: calls a function or uses a vector register (see above)"; rm -f $@; exit 1; fi

# fdwatch.c's interposers may run before libmemo.so is relocated (another
# object's IFUNC resolver calling syscall()): a sanitizer's checks there
# would be calls through GOT entries not yet filled.
$(B)/src/boot/fdwatch.o: src/boot/fdwatch.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(filter-out $(SANFLAGS),$(SRC_CFLAGS)) -c -o $@ $<

# libinih is linked in statically (and its symbols hidden): one object less
# to load in every process that inherits LD_PRELOAD.
# Both objects loaded at start-up are bound lazily (-z lazy, and preload.c
# dlopens the engine RTLD_LAZY): with -z now the loader looked up every
# import at load, libmemo.so's 65 in every process (~25 k instructions more
# than the ~25 calls of one that memoizes nothing resolve) and the engine's
# 164 where it loads (~95 k of a ten-function start's 850 k), touching
# libc's symbol tables for names never called. Their data and GOT stay
# RELRO; their PLT slots stay writable, as in most of Debian's libraries.
$(B)/libmemo.so: $(PRELOAD_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -shared $(SANFLAGS) -Wl,--no-undefined -Wl,-z,relro,-z,lazy -Wl,--exclude-libs,ALL \
		-o $@ $^ -Wl,-Bstatic -linih -Wl,-Bdynamic -ldl

# --sort-section=alignment: GCC aligns every array or struct of 32 bytes or
# more to 32, so the small statics (flags, pointers, counts) come last, a
# few pages of them, where they lay between the buffers each file keeps:
# each page of .bss a start-up writes is a page fault (~1.2-2 us here;
# ten functions found: 5 pages fewer).
$(B)/libmemo-engine.so: $(ENGINE_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -shared $(SANFLAGS) -Wl,--no-undefined -Wl,-z,relro,-z,lazy -Wl,--sort-section=alignment \
		-o $@ $^ \
		-Wl,-Bstatic -linih -Wl,-Bdynamic $(ENGINE_LIBS)

$(B)/libmemo-memcached.so: $(MC_OBJ) $(MC_BASE_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -shared $(SANFLAGS) -Wl,--no-undefined -o $@ $^ $(MC_LIBS) $(STATIC_LIBS) -lpthread

$(B)/libmemo-dwarf.so: $(DWARF_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -shared $(SANFLAGS) -Wl,--no-undefined -o $@ $^ $(shell pkg-config --libs libdw 2>/dev/null)

# The tools link libelf, Zydis and liblmdb themselves: the engine's stubs, which
# load them at the first call, stay out.
LAZY_STUB_OBJ := $(B)/src/find/libelf_calls.o $(B)/src/find/zydis_calls.o $(B)/src/store/lmdb_calls.o
$(CORE_LIB): $(filter-out $(B)/src/boot/% $(LAZY_STUB_OBJ),$(SRC_OBJ)) $(MC_OBJ) $(DWARF_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/memo: $(TOOL_OBJ) $(CORE_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(SANFLAGS) -o $@ $^ $(MC_LIBS) $(LDLIBS_CORE)

deps:
	@tools/install-deps.sh build

test-deps:
	@tools/install-deps.sh test

# Every test: the layering, unit tests, then end-to-end tests against real
# programs.
test: test-deps
	$(Q)$(MAKE) --no-print-directory all B=$(B) SAN=$(SAN)
	$(Q)tools/check-layers $(B)
	$(Q)B=$(abspath $(B)) SAN=$(SAN) tests/run $(TESTS)

# Each object calls only into its own layer or lower ones, and no files call
# each other in a cycle (ARCHITECTURE.md, "Layers"); read from `nm`.
check-layers: all
	$(Q)tools/check-layers $(B)

# The cluster in network namespaces (tests/t15*): memcached hosts and worker
# hosts sharing results with single flight; skipped where namespaces cannot
# be made. Not part of `make test`: it takes a minute.
cluster: test-deps
	$(Q)$(MAKE) --no-print-directory all B=$(B) SAN=$(SAN)
	$(Q)B=$(abspath $(B)) SAN=$(SAN) tests/run t15

# The same suite under AddressSanitizer and UndefinedBehaviorSanitizer.
asan:
	$(Q)$(MAKE) --no-print-directory test SAN=1

demo: deps
	$(Q)$(MAKE) --no-print-directory all B=$(B)
	$(Q)B=$(abspath $(B)) config/demo/run-demo.sh

bench: test-deps
	$(Q)$(MAKE) --no-print-directory all B=$(B)
	$(Q)B=$(abspath $(B)) bench/run

# Installed: the objects in PREFIX/lib/libmemo (libmemo.so loads the others
# from its own folder; memo finds it from PREFIX/bin), pkg-config's
# libmemo.pc (its variables give the paths), the man pages and bash
# completion. `make uninstall` removes each file again.
INSTALL_LIB := libmemo.so libmemo-engine.so libmemo-memcached.so libmemo-dwarf.so
LIBDIR := $(DESTDIR)$(PREFIX)/lib
SHAREDIR := $(DESTDIR)$(PREFIX)/share
INSTALLED := $(addprefix $(LIBDIR)/libmemo/,$(INSTALL_LIB)) $(DESTDIR)$(PREFIX)/bin/memo \
	$(LIBDIR)/pkgconfig/libmemo.pc $(SHAREDIR)/man/man1/memo.1 $(SHAREDIR)/man/man7/libmemo.7 \
	$(SHAREDIR)/bash-completion/completions/memo

install: all
	install -d $(LIBDIR)/libmemo $(DESTDIR)$(PREFIX)/bin $(LIBDIR)/pkgconfig \
		$(SHAREDIR)/man/man1 $(SHAREDIR)/man/man7 $(SHAREDIR)/bash-completion/completions
	install -m 755 $(addprefix $(B)/,$(INSTALL_LIB)) $(LIBDIR)/libmemo/
	install -m 755 $(B)/memo $(DESTDIR)$(PREFIX)/bin/memo
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' tools/libmemo.pc.in \
		>$(LIBDIR)/pkgconfig/libmemo.pc
	install -m 644 man/memo.1 $(SHAREDIR)/man/man1/memo.1
	install -m 644 man/libmemo.7 $(SHAREDIR)/man/man7/libmemo.7
	install -m 644 tools/memo.bash $(SHAREDIR)/bash-completion/completions/memo

uninstall:
	rm -f $(INSTALLED)
	-rmdir $(LIBDIR)/libmemo

clean:
	rm -rf build build-san

help:
	@echo "make            build $(B)/libmemo.so (+ -engine.so, -memcached.so) and $(B)/memo"
	@echo "make demo       run the demo twice under libmemo (local-folder store)"
	@echo "make test       run every test (installs missing Debian packages as root)"
	@echo "make asan       run every test under ASan and UBSan (build-san/)"
	@echo "make cluster    the cluster test: memcached and workers in network namespaces (root)"
	@echo "make bench      print benchmark ratios against same-run baselines"
	@echo "make check-layers  check that each file calls only its own layer or lower ones"
	@echo "make fuzz       build the libFuzzer targets (clang) in build-fuzz/"
	@echo "make fuzz-run   run each for FUZZ_SECONDS (default 60) from its seed corpus"
	@echo "make install    install to \$$(DESTDIR)\$$(PREFIX) (default /usr/local); make uninstall"
	@echo "variables: V=1 (verbose), SAN=1, B=DIR, TESTS='pattern...'"

.PHONY: all deps test-deps test check-layers cluster asan demo bench install uninstall clean help

include tests/fuzz/fuzz.mk

-include $(SRC_OBJ:.o=.d) $(TOOL_OBJ:.o=.d) $(MC_OBJ:.o=.d) $(DWARF_OBJ:.o=.d)
