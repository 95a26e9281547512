# copies: one name, copy_solve, defined in two libraries, each reached by a
# different caller (tests/t1430-t1432). libcopya.so is linked; libcopyb.so
# is dlopened by copyprog and linked by copyprog-linked; libcopyb-sn.so is
# libcopyb.so with a soname (libcopysn.so.7) that none of its file names has.
COPIES_D := $(TP)/copies
COPIES_S := tests/progs/copies
COPIES_CC = $(CC) -std=gnu11 -O2 -g -fPIC -Wall -Wextra -Werror $(SANFLAGS)

$(COPIES_D)/libcopya.so: $(COPIES_S)/copy.c tests/progs/runs.h
	@mkdir -p $(dir $@)
	$(Q)$(COPIES_CC) -DCOPY="'a'" -DCOPY_PREFIX=a -shared -Wl,-Bsymbolic-functions -o $@ $<
$(COPIES_D)/libcopyb.so: $(COPIES_S)/copy.c tests/progs/runs.h
	@mkdir -p $(dir $@)
	$(Q)$(COPIES_CC) -DCOPY="'b'" -DCOPY_PREFIX=b -shared -Wl,-Bsymbolic-functions -o $@ $<
$(COPIES_D)/libcopyb-sn.so: $(COPIES_S)/copy.c tests/progs/runs.h
	@mkdir -p $(dir $@)
	$(Q)$(COPIES_CC) -DCOPY="'b'" -DCOPY_PREFIX=b -shared -Wl,-Bsymbolic-functions \
		-Wl,-soname,libcopysn.so.7 -o $@ $<
$(COPIES_D)/copyprog: $(COPIES_S)/copyprog.c $(COPIES_D)/libcopya.so
	$(Q)$(COPIES_CC) -o $@ $< -L$(COPIES_D) -lcopya -ldl -Wl,--enable-new-dtags -Wl,-rpath,'$$ORIGIN'
$(COPIES_D)/copyprog-linked: $(COPIES_S)/copyprog.c $(COPIES_D)/libcopya.so $(COPIES_D)/libcopyb.so
	$(Q)$(COPIES_CC) -DLINKED -o $@ $< -L$(COPIES_D) -lcopya -lcopyb -Wl,--enable-new-dtags \
		-Wl,-rpath,'$$ORIGIN'

TEST_PROGS += $(COPIES_D)/libcopya.so $(COPIES_D)/libcopyb.so $(COPIES_D)/libcopyb-sn.so \
	$(COPIES_D)/copyprog $(COPIES_D)/copyprog-linked
