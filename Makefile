# twctl top-level Makefile.  "make help" lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := all

TOP := $(CURDIR)
VERSION := $(shell sed -n 's/^\#define TWCTL_VERSION "\(.*\)"/\1/p' module/version.h)
KDIR ?= $(shell scripts/kdir default 2>/dev/null)
KERNEL ?= 6.12
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= /usr/share/bash-completion/completions
DESTDIR ?=

.PHONY: all module cli modules-all deps check demo dkms-check install uninstall \
	install-cli install-dkms clean kunit-kernel help

all: module cli

help:
	@echo "make              twctl.ko against KDIR (default: running kernel's headers, else newest) + tools/twctl"
	@echo "make module       twctl.ko only (KDIR=...)"
	@echo "make cli          tools/twctl only"
	@echo "make deps         install/cache everything the tests need (root; scripts/deps)"
	@echo "make check        every test suite; ends with 'N passed, N failed'"
	@echo "make demo         boot a guest (KERNEL=6.12|6.1), load twctl, make TIME_WAIT traffic, run twctl"
	@echo "make modules-all  twctl.ko against every installed/cached headers tree, W=1 -Werror"
	@echo "make dkms-check   dkms build against every headers tree in a throwaway dkms tree"
	@echo "make kunit-kernel build (or reuse) the KUnit/debug kernel"
	@echo "make install      CLI, man page, completion to $(PREFIX); module via dkms"
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
	tests/run-all

demo:
	tests/vm/demo $(KERNEL)

dkms-check:
	@scripts/dkms-check

kunit-kernel:
	@tests/kunit/build-kernel

install: install-cli install-dkms

install-cli: cli
	install -D -m 0755 tools/twctl $(DESTDIR)$(SBINDIR)/twctl
	@set -e; for m in tools/man/*.[1-8]; do \
		[ -f "$$m" ] || continue; \
		s=$${m##*.}; \
		echo "install $$m -> $(DESTDIR)$(MANDIR)/man$$s/"; \
		install -D -m 0644 "$$m" "$(DESTDIR)$(MANDIR)/man$$s/$${m##*/}"; \
	done
	@set -e; if [ -f tools/completion/twctl ]; then \
		install -D -m 0644 tools/completion/twctl $(DESTDIR)$(BASHCOMPDIR)/twctl; \
		echo "install tools/completion/twctl -> $(DESTDIR)$(BASHCOMPDIR)/twctl"; \
	fi

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
	rm -f $(DESTDIR)$(SBINDIR)/twctl $(DESTDIR)$(BASHCOMPDIR)/twctl
	@set -e; for m in tools/man/*.[1-8]; do \
		[ -f "$$m" ] || continue; rm -f "$(DESTDIR)$(MANDIR)/man$${m##*.}/$${m##*/}"; done
	@if [ -z "$(DESTDIR)" ] && dkms status -m twctl -v $(VERSION) | grep -q .; then \
		dkms remove -m twctl -v $(VERSION) --all; fi
	rm -rf $(DESTDIR)/usr/src/twctl-$(VERSION)

clean:
	rm -rf build
	@if [ -f tools/Makefile ]; then $(MAKE) -C tools clean; fi
