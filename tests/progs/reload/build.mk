# reload: a plugin host that dlcloses a plugin, renames another build over
# its file and dlopens it again (tests/t0607). libreplug.so is built twice
# (BUILD 1 and 2: reload_f returns 2x+1, then 2x+2); libreuser.so calls
# reload_f through its PLT and finds libreplug.so beside it ($ORIGIN).
RELOAD_D := $(TP)/reload
RELOAD_S := tests/progs/reload
RELOAD_CC = $(CC) -std=gnu11 -O2 -g -fPIC -Wall -Wextra -Werror $(SANFLAGS)

$(RELOAD_D)/v%/libreplug.so: $(RELOAD_S)/plug.c tests/progs/runs.h
	@mkdir -p $(dir $@)
	$(Q)$(RELOAD_CC) -DBUILD=$* -shared -o $@ $<
$(RELOAD_D)/libreuser.so: $(RELOAD_S)/user.c $(RELOAD_D)/v1/libreplug.so
	$(Q)$(RELOAD_CC) -shared -o $@ $< -L$(RELOAD_D)/v1 -lreplug -Wl,--enable-new-dtags -Wl,-rpath,'$$ORIGIN'
$(RELOAD_D)/reloadhost: $(RELOAD_S)/host.c
	@mkdir -p $(dir $@)
	$(Q)$(RELOAD_CC) -o $@ $< -ldl

TEST_PROGS += $(RELOAD_D)/v1/libreplug.so $(RELOAD_D)/v2/libreplug.so $(RELOAD_D)/libreuser.so \
	$(RELOAD_D)/reloadhost
