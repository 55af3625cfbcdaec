# SPDX-License-Identifier: GPL-2.0
# Sourced by guest/init.
# job_blk_bench_stream (workload blk-bench-stream, a blk- job so the host attaches the disk): what the stall rule's guest side costs (docs/device.md),
# interleaved in one guest so the host's load hits both modes alike.
# blk-randread ($iodepth in flight, $duration s per run), $reps times in two
# modes, the order rotating every repetition: "plain" (vqtrace --duration,
# as with stall = 0), "stream" (vqtrace --stream to the report channel) and
# "watch" (plain, and the disk watch). The tracer init started is
# stopped first: this job runs its own (bench_tracer_start, bench-overhead.sh).
# Metrics: bench_stream_<mode>_ios, _s and _ticks (the CPU the tracer and
# the watch used, in clock ticks) over all runs; each run's figures are in
# the job output.
bench_stream_run() { # MODE: one vqblkload run; prints its I/Os and seconds
	watch_pid=
	case $1 in
	plain) bench_tracer_start vqtrace || return ;;
	stream) bench_tracer_start vqtrace --stream $REPORT || return ;;
	watch)
		bench_tracer_start vqtrace || return
		disk_watch "${blk_dev#/dev/}" 5 &
		watch_pid=$!
		;;
	esac
	ticks0=$(bench_stream_ticks $bt_pid $watch_pid)
	/bin/vqblkload --rw randread --bs "$bs" --iodepth "$iodepth" --duration "$duration" \
		"$blk_dev" >/tmp/bs.json 2>>/tmp/job.out
	# the CPU the tracer and the watch used during the run (clock ticks,
	# their children's included; vqtrace's start is not in it): what the
	# mode adds, without the throughput's noise
	ticks=$(($(bench_stream_ticks $bt_pid $watch_pid) - ticks0))
	[ -n "$watch_pid" ] && kill $watch_pid
	bench_tracer_stop
	echo "$(sed -n 's/.*"ios":\([0-9]*\).*"seconds":\([0-9.e+-]*\).*/\1 \2/p' /tmp/bs.json) $ticks"
}

bench_stream_ticks() { # PID...: utime + stime + cutime + cstime, summed
	for p in "$@"; do
		cut -d' ' -f14-17 "/proc/$p/stat"
	done | awk '{ t += $1 + $2 + $3 + $4 } END { print t + 0 }'
}

job_blk_bench_stream() {
	reps=${reps:-6}
	[ -e "/sys/block/${blk_dev#/dev/}" ] || { fail "no disk $blk_dev in the guest"; return; }
	if [ -n "$trace_pid" ]; then
		kill -TERM $trace_pid
		wait $trace_pid
		trace_pid=
	fi
	echo 2 >"/sys/block/${blk_dev#/dev/}/queue/nomerges" 2>/dev/null
	ios_plain=0 s_plain=0 ios_stream=0 s_stream=0 ios_watch=0 s_watch=0 r=0
	t_plain=0 t_stream=0 t_watch=0
	while [ $r -lt "$reps" ]; do
		# Rotate the order of the modes by one every repetition.
		order="plain stream watch" i=0
		while [ $i -lt $((r % 3)) ]; do
			order="${order#* } ${order%% *}"
			i=$((i + 1))
		done
		for m in $order; do
			set -- $(bench_stream_run $m)
			[ -n "$2" ] || { fail "bench-stream: vqblkload gave no result ($m)"; return; }
			echo "bench-stream rep $r $m: $1 I/Os in $2 s, $3 ticks" >>/tmp/job.out
			eval "ios_$m=\$((ios_$m + $1))"
			eval "t_$m=\$((t_$m + $3))"
			eval "s_$m=\$(echo \"\$s_$m $2\" | awk '{ print \$1 + \$2 }')"
		done
		r=$((r + 1))
	done
	for m in plain stream watch; do
		eval "report metric bench_stream_${m}_ios \$ios_$m I/Os higher" || return
		eval "report metric bench_stream_${m}_s \$s_$m s none" || return
		eval "report metric bench_stream_${m}_ticks \$t_$m ticks lower" || return
	done
}
