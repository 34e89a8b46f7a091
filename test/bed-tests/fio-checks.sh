# Checks over fio runs through the engine, for the guest scripts: each run
# under a time limit, its output kept in $out/NAME.{out,err,rc,cmd}, and on
# failure the command and the tail of what it said printed as TAP comments.
# Needs $out and $engine set, and lib.sh sourced.
# fio_run NAME LIMIT_S CMD...: CMD under a time limit; its output, exit
# status, command line and seconds taken in $out/NAME.{out,err,rc,cmd} and
# $out/seconds.
fio_run() {
	local name=$1 limit=$2; shift 2
	local cmd=(timeout -k 5 "$limit" "$@")
	printf '%q ' "${cmd[@]}" > "$out/$name.cmd"
	local start=$SECONDS
	"${cmd[@]}" > "$out/$name.out" 2> "$out/$name.err"
	echo $? > "$out/$name.rc"
	echo "$((SECONDS - start)) $name" >> "$out/seconds"
}
# fio_engine NAME LIMIT_S [VAR=VALUE...] ARGS...: one fio run through the
# engine, a job called NAME.
fio_engine() {
	local name=$1 limit=$2 envs=(); shift 2
	while [[ ${1:-} =~ ^[A-Z_]+= ]]; do envs+=("$1"); shift; done
	fio_run "$name" "$limit" env "${envs[@]}" fio --thread=1 --ioengine=external:"$engine" \
		--group_reporting --name="$name" "$@"
}
# fio_kernel NAME ARGS...: fio through the kernel driver (psync, O_DIRECT).
fio_kernel() {
	local name=$1; shift
	local cmd=(timeout -k 5 60 fio --name="$name" --ioengine=psync --direct=1 "$@")
	printf '%q ' "${cmd[@]}" > "$out/$name.cmd"
	"${cmd[@]}" > "$out/$name.out" 2> "$out/$name.err"
	echo $? > "$out/$name.rc"
}
rc_of() { cat "$out/$1.rc" 2>/dev/null || echo none; }
# show NAME: the command and the tail of what it said, as TAP comments.
show() {
	echo "# $1 (exit $(rc_of "$1")): $(cat "$out/$1.cmd" 2>/dev/null)"
	{ tail -n 8 "$out/$1.err"; tail -n 12 "$out/$1.out"; } 2>/dev/null | sed 's/^/#   /'
}
# ran_clean NAME: exit 0, fio says err=0, nothing failed verification.
ran_clean() {
	[ "$(rc_of "$1")" = 0 ] && grep -q 'err= 0' "$out/$1.out" &&
		! grep -qiE 'verify.*fail|bad magic|bad pattern|crc32c: verify|md5: verify' "$out/$1.out" "$out/$1.err"
}
# failed_cleanly NAME: non-zero exit that is not the time limit or a signal.
failed_cleanly() {
	local rc; rc=$(rc_of "$1")
	[ "$rc" != none ] && [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ "$rc" -lt 128 ]
}
says() { grep -qE -- "$2" "$out/$1.err" "$out/$1.out"; }
# result DESC NAME CMD...: one check line; on failure the run is shown.
result() {
	local desc=$1 name=$2; shift 2
	if "$@"; then ok "$desc"; else not_ok "$desc"; show "$name"; fi
}
# verify_case NAME ARGS...: writes, reads back and checks every block.
verify_case() {
	local name=$1; shift
	fio_engine "$name" 120 --do_verify=1 --verify_fatal=1 "$@"
	result "verify $name: $*" "$name" ran_clean "$name"
}
# refused NAME REGEX ARGS...: bad input fails before any I/O, the engine
# saying REGEX (fio's own "unrecognized option" does not count).
refused() {
	local name=$1 re=$2; shift 2
	fio_engine "$name" 60 "$@"
	result "bad input $name: refused before any I/O, message matches '$re' ($*)" "$name" \
		eval "failed_cleanly $name && says $name '$re' && ! says $name 'io_u error|unrecognized option'"
}
pattern() { echo "--verify=pattern --verify_pattern=\"$1\"%o"; }
