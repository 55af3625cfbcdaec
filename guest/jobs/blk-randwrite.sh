# SPDX-License-Identifier: GPL-2.0
# Sourced by guest/init. blk_job is in blk-randread.sh (every job file is
# sourced before any job runs).
job_blk_randwrite() { blk_job randwrite; }
