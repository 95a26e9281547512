# bash completion for memo(1): its commands, each command's options, config
# folders after -c, the functions of the config after flush and clear.
_memo_functions()
{
	local dir=${MEMO_CONFIG:-memo.d} i
	for ((i = 2; i < COMP_CWORD; i++)); do
		[[ ${COMP_WORDS[i]} == -c || ${COMP_WORDS[i]} == --config ]] && dir=${COMP_WORDS[i + 1]}
	done
	[[ -d $dir ]] && dir="$dir/*.conf"
	# shellcheck disable=SC2086
	sed -n 's/^[[:space:]]*\[function[[:space:]]\+\([^]@]*\).*/\1/p' $dir 2>/dev/null
}

_memo()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local commands="run check config stats flush clear evict export import report inspect init help"
	local cmd=${COMP_WORDS[1]} opts="--help"

	COMPREPLY=()
	if ((COMP_CWORD == 1)); then
		mapfile -t COMPREPLY < <(compgen -W "$commands --help --version" -- "$cur")
		return
	fi
	case $prev in
	-c | --config | -o | --output)
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return ;;
	--older-than | --to)
		return ;;
	esac
	case $cmd in
	run) [[ " ${COMP_WORDS[*]} " == *" -- "* ]] && { mapfile -t COMPREPLY < <(compgen -c -- "$cur"); return; }
	     opts+=" -c --" ;;
	check | config | import | export) opts+=" -c" ;;
	stats) opts+=" -c --json -z" ;;
	evict) opts+=" -c --older-than --to" ;;
	init) opts+=" -o" ;;
	report) opts+=" -c -o" ;;
	help) mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur"); return ;;
	esac
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
	elif [[ $cmd == flush || $cmd == clear ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_memo_functions)" -- "$cur")
	elif [[ $cmd == export ]]; then	# SYMBOL, or the archive FILE
		mapfile -t COMPREPLY < <(compgen -W "$(_memo_functions)" -- "$cur"; compgen -f -- "$cur")
	else
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	fi
}
complete -F _memo memo
