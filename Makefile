# SPDX-License-Identifier: GPL-2.0
# vqlab: make (build), make check (tests), make lab (set up + smoke scenario + report).
# V=1 shows full commands; O=dir puts the build elsewhere (default: build/).

O ?= build
OUT := $(patsubst %/,%,$(O))
V ?= 0
ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

CC ?= cc
CLANG ?= clang
BPFTOOL ?= bpftool
ARCH := x86
# vmlinux.h is generated from the BTF of the build host's running kernel; CO-RE
# relocates every field access to the guest kernel's own layout at load time.
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux

CFLAGS ?= -O2 -g
CFLAGS += -Wall -Wextra -Wno-unused-parameter -Wno-format-truncation -std=gnu11 -D_GNU_SOURCE \
	  -I$(OUT) -Itools/lib -Ibpf -MMD -MP
BPF_CFLAGS := -O2 -g -target bpf -D__TARGET_ARCH_$(ARCH) -I$(OUT) -Ibpf -MMD -MP

LIB_SRCS := $(wildcard tools/lib/*.c)
LIB_OBJS := $(patsubst tools/lib/%.c,$(OUT)/lib/%.o,$(LIB_SRCS))
BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(OUT)/%.bpf.o,$(BPF_SRCS))
SKELS := $(patsubst bpf/%.bpf.c,$(OUT)/%.skel.h,$(BPF_SRCS))
TOOLS := $(patsubst tools/%.c,%,$(wildcard tools/*.c))
# vqreport's GSL-using code lives in tools/report/: linked into vqreport and the
# unit tests only, never into the static vqtrace (which has no GSL).
REPORT_OBJS := $(patsubst tools/report/%.c,$(OUT)/report/%.o,$(wildcard tools/report/*.c))
# vqlab's code (libvirt, libxml2, inih) lives in tools/lab/: linked into vqlab
# and the unit tests only.
LAB_OBJS := $(patsubst tools/lab/%.c,$(OUT)/lab/%.o,$(wildcard tools/lab/*.c))
XML_CFLAGS := $(shell pkg-config --cflags libxml-2.0 2>/dev/null)
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRCS))

# Per-tool libraries. vqtrace is linked statically so that the guest initramfs
# needs no shared libraries.
LDLIBS_vqtrace := -static -lbpf -lelf -lz -ljansson
LDLIBS_vqsink := -static -lbpf -lelf -lz -ljansson
LDLIBS_vqblkload := -static -ljansson
LDLIBS_vqguestreport := -static -ljansson
LDLIBS_vqlab := -lvirt -lvirt-qemu -lxml2 -lbpf -lelf -lz -lzstd -llzma -ljansson -linih -lm
LDLIBS_vqreport := -ljansson -lgsl -lgslcblas -lm
LDLIBS_default := -lbpf -lelf -lz -lzstd -llzma -ljansson -linih -lvirt -lvirt-qemu -lxml2 -lgsl -lgslcblas -lm

# An absolute path to a relative build folder's file names the same target.
ifneq ($(OUT),$(abspath $(OUT)))
$(abspath $(OUT))/%: $(OUT)/% ;
endif

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all check lab setup clean unit integration
all: $(addprefix $(OUT)/,$(TOOLS)) $(UNIT_BINS)

$(OUT) $(OUT)/lib $(OUT)/tests $(OUT)/report $(OUT)/lab:
	$(Q)mkdir -p $@

$(OUT)/vmlinux.h: | $(OUT)
	$(call msg,GEN,$@)
	$(Q)test -r $(VMLINUX_BTF) || { echo "Error: no BTF at $(VMLINUX_BTF) (set VMLINUX_BTF=path)" >&2; exit 1; }
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@

$(OUT)/%.bpf.o: bpf/%.bpf.c $(OUT)/vmlinux.h | $(OUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/%.skel.h: $(OUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(OUT)/lib/%.o: tools/lib/%.c | $(OUT)/lib
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(OUT)/report/%.o: tools/report/%.c | $(OUT)/report
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(OUT)/vqreport: $(REPORT_OBJS)

$(OUT)/lab/%.o: tools/lab/%.c $(SKELS) | $(OUT)/lab
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(XML_CFLAGS) -Itools/lab -c $< -o $@

$(OUT)/vqlab: $(LAB_OBJS)
$(OUT)/vqlab.o: CFLAGS += -Itools/lab

# Every tool may include any skeleton; -MMD records which one it really uses.
$(OUT)/%.o: tools/%.c $(SKELS) | $(OUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(OUT)/%: $(OUT)/%.o $(LIB_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $^ -o $@ $(or $(LDLIBS_$*),$(LDLIBS_default))

# Unit tests link only what they test: tests/unit/NAME.c is linked with
# UNIT_OBJS_NAME (objects, named by lib_o/report_o/lab_o) and UNIT_LIBS_NAME.
# A test without UNIT_OBJS_NAME links everything (all of tools/lib, report
# and lab, with LDLIBS_default), so a new test builds before it is listed.
lib_o = $(patsubst %,$(OUT)/lib/%.o,$(1))
report_o = $(patsubst %,$(OUT)/report/%.o,$(1))
lab_o = $(patsubst %,$(OUT)/lab/%.o,$(1))
UNIT_OBJS_parse := $(call lib_o,parse)
UNIT_LIBS_parse := -lm
UNIT_OBJS_jsonfile := $(call lib_o,jsonfile)
UNIT_LIBS_jsonfile := -ljansson
UNIT_OBJS_vqtrace_log2hist := $(call lib_o,log2hist)
UNIT_LIBS_vqtrace_log2hist := -ljansson
UNIT_OBJS_lib := $(call lib_o,msg dirs verdict virtio_features cli parse results)
UNIT_LIBS_lib := -ljansson -lm
UNIT_OBJS_stats := $(call report_o,stats numfmt compare runset negotiated hostblock) \
	$(call lib_o,verdict results virtio_features msg)
UNIT_LIBS_stats := -ljansson -lgsl -lgslcblas -lm
UNIT_OBJS_runset := $(call report_o,runset compare numfmt stats negotiated hostblock) \
	$(call lib_o,results verdict virtio_features msg)
UNIT_LIBS_runset := -ljansson -lgsl -lgslcblas -lm
UNIT_OBJS_negotiated := $(call report_o,runset compare numfmt stats negotiated pivot table hostblock) \
	$(call lib_o,results verdict virtio_features msg)
UNIT_LIBS_negotiated := -ljansson -lgsl -lgslcblas -lm
UNIT_OBJS_report_answer := $(call report_o,runset compare numfmt stats negotiated answer metric_roles hostblock) \
	$(call lib_o,results verdict virtio_features msg)
UNIT_LIBS_report_answer := -ljansson -lgsl -lgslcblas -lm
UNIT_OBJS_hostblock := $(call report_o,runset compare numfmt stats negotiated hostblock) \
	$(call lib_o,results verdict virtio_features msg)
UNIT_LIBS_hostblock := -ljansson -lgsl -lgslcblas -lm
UNIT_OBJS_results_contract := $(call lab_o,sample scenario proc kernel) $(call report_o,runset) \
	$(call lib_o,results jsonfile parse dirs msg virtio_features)
UNIT_LIBS_results_contract := -ljansson -linih -lvirt
UNIT_OBJS_windows := $(call report_o,windows runset compare numfmt stats negotiated hostblock \
	metric_roles) $(call lib_o,results verdict virtio_features msg)
UNIT_LIBS_windows := -ljansson -lgsl -lgslcblas -lm
UNIT_OBJS_sample_windows := $(call lab_o,sample scenario proc kernel) \
	$(call lib_o,results jsonfile parse dirs msg virtio_features)
UNIT_LIBS_sample_windows := -ljansson -linih -lvirt
UNIT_OBJS_frame := $(call lab_o,frame) $(call lib_o,msg)
UNIT_LIBS_frame := -ljansson -lz
UNIT_OBJS_kcrash := $(call lib_o,kcrash textfile)
UNIT_LIBS_kcrash :=
UNIT_OBJS_bootimage := $(call lab_o,bootimage domain) $(call lib_o,textfile msg dirs)
UNIT_LIBS_bootimage := -lzstd -llzma -lz -lxml2 -ljansson
UNIT_OBJS_domain := $(call lab_o,domain)
UNIT_LIBS_domain := -lxml2
UNIT_OBJS_vhostuser := $(call lab_o,vhostuser domain proc) $(call lib_o,msg clock results)
UNIT_LIBS_vhostuser := -lvirt -lxml2 -ljansson
UNIT_OBJS_pktsend := $(call lab_o,pktsend proc) $(call lib_o,msg clock)
UNIT_LIBS_pktsend := -ljansson -lm
UNIT_OBJS_scenario := $(call lab_o,scenario kernel proc) $(call lib_o,parse msg dirs)
UNIT_LIBS_scenario := -linih -ljansson -lm
UNIT_OBJS_shard := $(call lab_o,shard) $(call lib_o,msg)
UNIT_LIBS_shard := -ljansson
UNIT_OBJS_runset_many := $(call report_o,runset) $(call lib_o,results msg)
UNIT_LIBS_runset_many := -ljansson
UNIT_OBJS_device := $(call lab_o,devcount drvstream) $(call lib_o,results drvline)
UNIT_OBJS_drvstream := $(call lab_o,devcount drvstream) $(call lib_o,results drvline)
UNIT_LIBS_drvstream := -ljansson
UNIT_LIBS_device := -ljansson
UNIT_OBJS_devperf := $(call lab_o,devperfcount) $(call lib_o,results msg)
UNIT_LIBS_devperf := -ljansson
UNIT_OBJS_device_scenario := $(call lab_o,scenario kernel proc) $(call lib_o,parse msg dirs)
UNIT_LIBS_device_scenario := -linih -ljansson -lm
unit_default = $(filter undefined,$(origin UNIT_OBJS_$(1)))
unit_objs = $(if $(call unit_default,$(1)),$(LIB_OBJS) $(REPORT_OBJS) $(LAB_OBJS),$(UNIT_OBJS_$(1)))
unit_libs = $(if $(call unit_default,$(1)),$(LDLIBS_default),$(UNIT_LIBS_$(1)))

.SECONDEXPANSION:
$(OUT)/tests/%: tests/unit/%.c $$(call unit_objs,$$*) | $(OUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(XML_CFLAGS) -Itests -Itools/report -Itools/lab $< \
		$(call unit_objs,$*) -o $@ $(call unit_libs,$*)

setup:
	$(Q)scripts/setup.sh

# The README's two commands.
# check and lab build through a second make: this one was parsed before
# setup installed what its pkg-config calls ask about (libxml2, glib).
check: setup
	$(Q)$(MAKE) --no-print-directory all
	$(Q)O=$(OUT) tests/run

# The lab's main job: run the default scenario; vqlab run writes its report
# (vqreport report) and names it in the summary ("report": null if it could not).
SCENARIO ?= scenarios/smoke.ini
lab: setup
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(OUT)/vqlab -j run $(SCENARIO) >$(OUT)/last-run.json; rc=$$?; \
	dir=$$(jq -r '.dir // empty' $(OUT)/last-run.json); \
	if [ -z "$$dir" ]; then cat $(OUT)/last-run.json; exit 1; fi; \
	jq -e '.report' $(OUT)/last-run.json >/dev/null || exit 1; \
	echo "run:    $$dir ($$(jq -r '"\(.ok) ok, \(.failed) failed"' $(OUT)/last-run.json))"; \
	echo "report: $$dir/report/report.html and $$dir/report/report.md"; \
	exit $$rc

clean:
	$(call msg,CLEAN,$(OUT))
	$(Q)rm -rf $(OUT)

# --- kernel-patches/: guest kernels at every point of the in-order series ---
# Not part of `all` or `check` (full builds take minutes each; see
# kernel-patches/README.md). Builds, and caches, a kernel at each prefix
# 0..N of kernel-patches/series with KERNEL_CONFIG; KERNEL_TARGET=FILE
# (e.g. drivers/virtio/virtio_ring.o) only compiles that file at each prefix.
KERNEL_CONFIG ?= lab+retpoline-on
.PHONY: kernel-bisect
kernel-bisect:
	$(Q)n=$$(sed -e 's/#.*//' -e '/^[[:space:]]*$$/d' kernel-patches/series | wc -l); \
	for i in $$(seq 0 $$n); do \
		scripts/kernel-build.sh --upto $$i --config $(KERNEL_CONFIG) \
			$(if $(KERNEL_TARGET),--target $(KERNEL_TARGET)) || exit 1; \
	done

-include $(wildcard $(OUT)/*.d $(OUT)/lib/*.d $(OUT)/report/*.d $(OUT)/lab/*.d $(OUT)/tests/*.d)

# ---- vqicount: the QEMU TCG plugin (plugin/, docs/icount.md) ----------------
# Built against qemu-plugin.h from the Debian source of the installed QEMU.
# scripts/fetch-qemu-plugin-header.sh runs on every make: it fetches the header
# once per installed QEMU version and otherwise exits at once without touching
# the file, so nothing rebuilds. plugin/vqicount.c refuses plugin API < 3.
QEMU_PLUGIN_INC ?= $(OUT)/qemu-plugin
PLUGIN_CFLAGS := -O2 -g -Wall -Wextra -Wno-unused-parameter -std=gnu11 -fPIC -shared \
	-MMD -MP -I$(QEMU_PLUGIN_INC) $(shell pkg-config --cflags glib-2.0 2>/dev/null)
PLUGIN_LDLIBS := $(shell pkg-config --libs glib-2.0 2>/dev/null) -ljansson
.PHONY: plugin FORCE
all: plugin
plugin: $(OUT)/vqicount.so

$(QEMU_PLUGIN_INC)/qemu-plugin.h: FORCE
	$(Q)scripts/fetch-qemu-plugin-header.sh $(QEMU_PLUGIN_INC)

$(OUT)/vqicount.so: plugin/vqicount.c $(QEMU_PLUGIN_INC)/qemu-plugin.h | $(OUT)
	$(call msg,PLUGIN,$@)
	$(Q)pkg-config --exists glib-2.0 || { echo "Error: glib-2.0 not found (run scripts/setup.sh)" >&2; exit 1; }
	$(Q)$(CC) $(PLUGIN_CFLAGS) $< -o $@ $(PLUGIN_LDLIBS)
