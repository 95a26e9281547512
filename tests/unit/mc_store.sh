# Sourced by tests/t04*.sh (after tests/lib.sh): runs the mc_store driver
# (tests/unit/mc_store.c) as a coprocess, so a test can act on its memcached
# servers between the driver's commands while the driver keeps its
# connections, breakers and counters.

# mc_driver SERVERS [TIMEOUT_MS]: start the driver; its stderr goes to $T/driver.err.
mc_driver() {
	coproc MCD { exec "$P/unit/mc_store" "$@" 2>"$T/driver.err"; }
	_pids+=("$MCD_PID")
}

# mc CMD...: send one command; its answer lines go to stdout and to
# $T/answer, the last one ("ok ...") into $R. Bash keeps coprocess pipes out
# of subshells, so call it directly, not inside $(...). A "fail" answer or a
# silent driver fails the test.
mc() {
	local l
	: >"$T/answer"
	echo "$*" >&"${MCD[1]}" || fail "driver gone before '$*'"
	while :; do
		read -r -t 120 -u "${MCD[0]}" l || { cat "$T/driver.err" >&2; fail "no answer to '$*'"; }
		echo "$l" | tee -a "$T/answer"
		case $l in ok*) R=$l; return 0 ;; fail*) fail "'$*': $l" ;; esac
	done
}

# val NAME: the value of NAME=... in the last answer ($R).
val() { echo "$R" | sed -n "s/.*[ ]$1=\([^ ]*\).*/\1/p"; }
