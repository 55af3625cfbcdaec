#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run one vqlab matrix on a Slurm cluster (docs/cluster.md): a job array of N
# shards (scripts/slurm/vqlab.sbatch), then a job that waits for all of them to
# succeed and reads them as one set into a report (scripts/slurm/merge.sbatch).
# Prints "array JOBID" and "merge JOBID" on stdout.
#
# Usage: scripts/slurm/submit.sh [-n N] [-o OUT] [--max-parallel M]
#          [--sbatch OPTION]... SCENARIO [vqlab run options]
#   -n N              shards (default 2); one array task each
#   -o OUT            where the shard folders go, on a file system every node
#                     sees (default ./results/slurm-<scenario>-<time>)
#   --max-parallel M  at most M shards at once (the array's %M)
#   --sbatch OPTION   passed to both sbatch calls (e.g. --partition=bench)
# VQLAB and VQREPORT name the commands the jobs run (default: this tree's
# build/vqlab and build/vqreport).
#
# EXAMPLES:
#   scripts/slurm/submit.sh -n 4 scenarios/inorder-net.ini --repeat 8
#   scripts/slurm/submit.sh -n 2 --max-parallel 1 scenarios/smoke.ini --duration 2
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
usage() {
	sed -n '/^# Usage:/,/^set -euo/{/^set -euo/d; s/^# \{0,1\}//; p}' "$0" >&2
	exit 2
}
die() { echo "Error: $1" >&2; exit "${2:-1}"; }

n=2 out='' par='' sbatch_opts=()
while [ $# -gt 0 ]; do
	case $1 in
	-n) [ $# -ge 2 ] || usage; n=$2; shift 2 ;;
	-o) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
	--max-parallel) [ $# -ge 2 ] || usage; par=$2; shift 2 ;;
	--sbatch) [ $# -ge 2 ] || usage; sbatch_opts+=("$2"); shift 2 ;;
	-h | --help) usage ;;
	-*) echo "Error: unknown option '$1'" >&2; usage ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || usage
scenario=$1
shift
[[ $n =~ ^[1-9][0-9]{0,3}$ ]] && [ "$n" -le 1000 ] || die "-n '$n': expected 1..1000 shards" 2
[ -z "$par" ] || [[ $par =~ ^[1-9][0-9]*$ ]] || die "--max-parallel '$par': expected a positive number" 2
[ -f "$scenario" ] || die "scenario $scenario: no such file" 2
command -v sbatch >/dev/null || die "sbatch not found: is this a Slurm submit host?"

# The jobs run elsewhere, later, from another folder: give them absolute paths.
scenario=$(realpath "$scenario")
[ -n "$out" ] || out=results/slurm-$(basename "$scenario" .ini)-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
out=$(realpath "$out")
export VQLAB=${VQLAB:-$top/build/vqlab} VQREPORT=${VQREPORT:-$top/build/vqreport}

array=$(sbatch --parsable "${sbatch_opts[@]}" --array="0-$((n - 1))${par:+%$par}" \
	--output="$out/slurm-%A_%a.out" --export=ALL \
	"$top/scripts/slurm/vqlab.sbatch" "$scenario" "$n" "$out" "$@")
array=${array%%;*}
[[ $array =~ ^[0-9]+$ ]] || die "sbatch gave no job id for the shards: '$array'"
merge=$(sbatch --parsable "${sbatch_opts[@]}" --dependency="afterok:$array" \
	--kill-on-invalid-dep=yes --output="$out/slurm-merge-%j.out" --export=ALL \
	"$top/scripts/slurm/merge.sbatch" "$n" "$out")
merge=${merge%%;*}
[[ $merge =~ ^[0-9]+$ ]] || die "sbatch gave no job id for the merge: '$merge'"
echo "array $array"
echo "merge $merge"
echo "out $out"
