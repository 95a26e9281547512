#!/bin/sh
# Installs the Debian packages libmemo needs to build, test and demo, when they
# are missing. As root it runs apt-get; otherwise it prints the exact command.
# Usage: tools/install-deps.sh [build|test|fuzz]
set -e
pkgs="gcc make pkg-config libc6-dev libb2-dev libelf-dev libffi-dev libinih-dev \
libmemcached-dev libzydis-dev libdw-dev libiberty-dev liblmdb-dev libsodium23 libxxhash-dev"	# libsodium23: dlopened for large buffers' BLAKE2b (src/store/treehash.c), t0019; libxxhash-dev: its header (XXH3, inlined), and tests/forge.py's libxxhash0
if [ "${1:-build}" = test ]; then	# libunwind: t0505's program takes a backtrace
	pkgs="$pkgs memcached python3 binutils sasl2-bin libunwind-dev valgrind nutcracker iproute2 man-db strace"	# valgrind: t0016; nutcracker: t0430; iproute2: t1500; man-db: t0907; strace: t0103, t0120, t0123, t0126, t0127, t0316
	pkgs="$pkgs gfortran liblapack3 python3-numpy"	# t1400: a Fortran kernel; t1402: LAPACK; t1403: numpy.linalg.solve (Octave and R are tested where installed)
	pkgs="$pkgs lmdb-utils"	# t0314: mdb_load writes a small.mdb of format 1
	pkgs="$pkgs gdb"	# t0130: counts the cpuid instructions the engine executes
fi
if [ "${1:-build}" = fuzz ]; then	# make fuzz: libFuzzer targets
	pkgs="$pkgs clang-14 libclang-rt-14-dev"
fi
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
	echo "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends $missing
else
	echo "missing Debian packages; run as root:" >&2
	echo "  apt-get install$missing" >&2
	exit 1
fi
