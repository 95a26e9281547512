# fkern (issue 15): a gfortran library whose kernel takes every argument by
# reference, and a C program calling it in that convention. Built only where
# gfortran is installed (tools/install-deps.sh's test set); t1400 skips
# without it.
ifneq ($(shell command -v gfortran 2>/dev/null),)
FORTRAN_DIR := $(TP)/fortran
TEST_PROGS += $(FORTRAN_DIR)/libfkern.so $(FORTRAN_DIR)/fkern-main

$(FORTRAN_DIR)/libfkern.so: tests/progs/fortran/fkern.f90 tests/progs/fortran/fkern_ran.c tests/progs/runs.h
	@mkdir -p $(dir $@)
	$(Q)gfortran -O2 -g -fPIC -c -o $(FORTRAN_DIR)/fkern.o tests/progs/fortran/fkern.f90
	$(Q)$(CC) -O2 -g -fPIC -Itests/progs -c -o $(FORTRAN_DIR)/fkern_ran.o tests/progs/fortran/fkern_ran.c
	$(Q)gfortran -shared -o $@ $(FORTRAN_DIR)/fkern.o $(FORTRAN_DIR)/fkern_ran.o

$(FORTRAN_DIR)/fkern-main: tests/progs/fortran/fkern_main.c $(FORTRAN_DIR)/libfkern.so
	$(Q)$(CC) -O2 -g -o $@ $< -L$(FORTRAN_DIR) -lfkern -Wl,-rpath,$(FORTRAN_DIR)
endif
