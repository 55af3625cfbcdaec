# SPDX-License-Identifier: GPL-2.0
# Sourced by guest/init.
job_none() {
	sleep "$duration"
}
