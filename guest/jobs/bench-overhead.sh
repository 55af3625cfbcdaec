# SPDX-License-Identifier: GPL-2.0
# Sourced by guest/init.
# job_bench_overhead: vqtrace's cost on the highest TX packet rate the guest
# reaches. pktgen sends $packets packets per run (or, with packets=0, runs
# for $duration s), $reps times in each of four modes (no tracer, vqtrace,
# vqtrace --core, the virtiostat-style kprobe tracer /bin/vqstat-kprobe), the order rotating
# every repetition (interleaved). Each run sits between two sethostname(2)
# calls, which the vqicount TCG plugin (mark=__x64_sys_sethostname) turns into
# phase boundaries: run j is the phase that starts at mark 2j, so its exact
# guest instruction count can be divided by its packets. Then one more run per
# tracer with the kernel's BPF run-time statistics (-S), for each program's
# cost. The tracer init started is stopped first: this job runs its own.
# Host side: tests/bench/overhead.sh.
bench_pps() { # one pktgen run; prints "packets usec"
	if [ "${packets:-0}" -gt 0 ]; then
		echo start >/proc/net/pktgen/pgctrl # returns after $packets
	else
		echo start >/proc/net/pktgen/pgctrl &
		bpid=$!
		sleep "$duration"
		echo stop >/proc/net/pktgen/pgctrl
		wait $bpid
	fi
	sed -n 's/^Result: OK: \([0-9]*\)(.* usec, \([0-9]*\) (.*/\2 \1/p' /proc/net/pktgen/$netdev
}

bench_tracer_start() { # MODE [ARGS]: none | vqtrace | kprobe
	bt_pid=
	rm -f /tmp/bt.err /tmp/bt.json
	case $1 in
	none) return 0 ;;
	vqtrace) shift; /bin/vqtrace --duration 86400 -j "$@" >/tmp/bt.json 2>/tmp/bt.err & ;;
	core) shift; /bin/vqtrace --core --duration 86400 -j "$@" >/tmp/bt.json 2>/tmp/bt.err & ;;
	kprobe) shift; /bin/vqstat-kprobe -D 86400 "$@" >/tmp/bt.json 2>/tmp/bt.err & ;;
	esac
	bt_pid=$!
	i=0
	while ! grep -q '^Tracing' /tmp/bt.err 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 600 ] && { fail "bench: $1 did not start: $(cat /tmp/bt.err)"; return 1; }
		usleep 100000
	done
}

bench_tracer_stop() {
	[ -n "$bt_pid" ] || return 0
	kill -TERM $bt_pid
	wait $bt_pid
}

job_bench_overhead() {
	reps=${reps:-3}
	[ -n "$netdev" ] || { fail "no network device in the guest"; return; }
	[ -d /proc/net/pktgen ] || { fail "pktgen is not available in this kernel"; return; }
	[ -x /bin/vqstat-kprobe ] || { fail "/bin/vqstat-kprobe is missing (tests/bench/overhead.sh builds it)"; return; }
	if [ -n "$trace_pid" ]; then
		kill -TERM $trace_pid
		wait $trace_pid
		trace_pid=
	fi
	pg=/proc/net/pktgen
	echo "rem_device_all" >$pg/kpktgend_0
	echo "add_device $netdev" >$pg/kpktgend_0
	for c in "count ${packets:-0}" "pkt_size $pkt_size" "delay 0" "dst $dst_ip" "dst_mac ${dst_mac:-02:00:00:00:00:01}" \
		"src_min $src_ip" "src_max $src_ip" "udp_src_min 9" "udp_src_max 9" \
		"udp_dst_min 9" "udp_dst_max 9"; do
		echo "$c" >$pg/$netdev || { fail "pktgen rejected '$c'"; return; }
	done
	bench_pps >/dev/null # warm-up
	r=0
	while [ $r -lt "$reps" ]; do
		# Rotate the order of the modes by one every repetition.
		order="none vqtrace core kprobe" i=0
		while [ $i -lt $((r % 4)) ]; do
			order="${order#* } ${order%% *}"
			i=$((i + 1))
		done
		for m in $order; do
			bench_tracer_start $m || return
			# Attaching and detaching leave deferred kernel work (RCU,
			# kprobe optimisation, trampoline freeing): let it finish
			# outside the counted phase.
			sleep 2
			hostname "vqlab-bench-$r-$m"
			set -- $(bench_pps)
			hostname vqlab-bench-idle
			bench_tracer_stop
			sleep 2
			[ -n "$2" ] || { fail "bench: pktgen gave no result"; return; }
			report bench-run "$m" "$r" "$1" "$2" || return
		done
		r=$((r + 1))
	done
	for m in vqtrace core kprobe; do
		bench_tracer_start $m -S || return
		set -- $(bench_pps)
		[ -n "$1" ] || set -- $(bench_pps) # pktgen now and then gives no Result line
		bench_tracer_stop
		report bench-stats "$m" "${1:-}" /tmp/bt.json || return # packets "": none
	done
	# The attach mechanisms alone: empty fexit, kprobe and fentry programs
	# on bpf_fentry_test5, six more marked series (tests/bench/hookcost.c).
	if [ -x /bin/hookcost ]; then
		/bin/hookcost 20000 >/tmp/hookcost.json 2>>/tmp/job.out
		report bench-hookcost /tmp/hookcost.json
	fi
}
