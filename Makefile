# twctl top-level Makefile.  "make help" lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := all

TOP := $(CURDIR)
# kbuild (M=...) cannot build in a directory whose path has a space or a
# colon, and the test guests find their init through the kernel command line,
# which splits at spaces.  Any other path works (also /tmp, /dev/shm, /run).
ifneq ($(words $(subst :, ,$(TOP))),1)
$(error twctl: the checkout's path "$(TOP)" contains a space or a colon, which kbuild and the test guests cannot use; clone it to another path)
endif
VERSION := $(shell sed -n 's/^\#define TWCTL_VERSION "\(.*\)"/\1/p' module/version.h)
KDIR ?= $(shell scripts/kdir default 2>/dev/null)
KERNEL ?= 6.12
SUITES ?=
STRESS_SECONDS ?= 600
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all module cli modules-all deps check demo dkms-check install uninstall \
	install-cli install-dkms clean kunit-kernel help bench stress fuzz

all: module cli

help:
	@echo "make              twctl.ko against KDIR (default: running kernel's headers, else newest) + tools/twctl"
	@echo "make module       twctl.ko only (KDIR=...)"
	@echo "make cli          tools/twctl only"
	@echo "make deps         install/cache everything the tests need (root; scripts/deps)"
	@echo "make check        every test suite; ends with 'N passed, N failed, N skipped' (SUITES=\"static kunit\" for some)"
	@echo "make demo         boot a guest (KERNEL=6.12|6.1), load twctl, make TIME_WAIT traffic, run twctl"
	@echo "make bench        twctl against ss and ss -K in one guest (KERNEL=6.12|6.1), stock tables then 100k/1M (tw_stretch.ko); figures in build/bench/"
	@echo "make stress       twctl under load on the KASAN/lockdep/kmemleak guest for STRESS_SECONDS ($(STRESS_SECONDS))"
	@echo "make fuzz         the netlink fuzzer (100,000 messages, root and unprivileged) and the CLI parser fuzzers"
	@echo "make modules-all  twctl.ko against every installed/cached headers tree, W=1 -Werror"
	@echo "make dkms-check   dkms build against every headers tree in a throwaway dkms tree"
	@echo "make kunit-kernel build (or reuse) the KUnit/debug kernel"
	@echo "make install      CLI, man page, completion to $(PREFIX); module via dkms"
	@echo "make deb          Debian packages twctl and twctl-dkms in build/deb/ (LINTIAN=1: run lintian)"
	@echo "make clean        remove build outputs"

module:
	@test -n "$(KDIR)" || { echo "twctl: no kernel headers found; set KDIR= or run make deps" >&2; exit 1; }
	@scripts/build-module $(KDIR) >/dev/null
	@echo "twctl: built build/$$(scripts/kdir kver $(KDIR))/module/twctl.ko"

cli:
	$(MAKE) -C tools

modules-all:
	@scripts/modules-all

deps:
	scripts/deps

check:
	@TWCTL_SUITES="$(SUITES)" tests/run-all

demo:
	tests/vm/demo $(KERNEL)

bench:
	@k="$(if $(filter file,$(origin KERNEL)),6.1 6.12,$(KERNEL))"; r=0; \
	tests/bench/run $$k || r=1; tests/bench/run --stretch $$k || r=1; exit $$r

stress:
	tests/stress/run --seconds $(STRESS_SECONDS)

fuzz:
	tests/fuzz/netlink/run --count 100000
	tests/fuzz/cli/run

dkms-check:
	@scripts/dkms-check

# Debian packages from a copy of the tree (scripts/build-deb).
.PHONY: deb
deb:
	@scripts/build-deb $(if $(LINTIAN),--lintian)

kunit-kernel:
	@tests/kunit/build-kernel

install: install-cli install-dkms

# CLI, man page and bash completion: tools/Makefile's install target.
install-cli: cli
	$(MAKE) -C tools install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

# Copies the DKMS source tree to /usr/src/twctl-$(VERSION), then dkms add +
# install (builds and signs for the running kernel).  With DESTDIR only the
# source tree is installed.
install-dkms:
	scripts/dkms-tree $(DESTDIR)/usr/src/twctl-$(VERSION)
	@if [ -z "$(DESTDIR)" ]; then \
		set -e; \
		dkms status -m twctl -v $(VERSION) | grep -q . || dkms add -m twctl -v $(VERSION); \
		dkms install -m twctl -v $(VERSION); \
	fi

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/sbin/twctl $(DESTDIR)$(PREFIX)/share/man/man8/twctl.8 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/twctl \
		$(DESTDIR)$(PREFIX)/lib/systemd/system/twctl-prometheus.service \
		$(DESTDIR)$(PREFIX)/lib/systemd/system/twctl-prometheus.timer
	@if [ -z "$(DESTDIR)" ] && dkms status -m twctl -v $(VERSION) | grep -q .; then \
		dkms remove -m twctl -v $(VERSION) --all; fi
	rm -rf $(DESTDIR)/usr/src/twctl-$(VERSION)

clean:
	rm -rf build
	@if [ -f tools/Makefile ]; then $(MAKE) -C tools clean; fi
