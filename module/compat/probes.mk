# SPDX-License-Identifier: GPL-2.0
#
# Feature probes: each looks at the target kernel's own headers for the one
# thing twctl depends on, so backports are handled as well as versions. The
# results are -D flags consumed only by compat.h.

twctl_probe = $(shell grep -qE '$(2)' $(srctree)/include/$(1) 2>/dev/null && echo y)

# Try-compile probe: "y" if compat/try/$(1).c compiles against the target
# kernel with the flags a module file gets (-Werror). A grep can be fooled by
# a comment, a backport with a different prototype or a field under an
# #ifdef; the compiler cannot.
twctl_try_compile = $(shell $(CC) $(NOSTDINC_FLAGS) $(LINUXINCLUDE) \
	-include $(srctree)/include/linux/compiler_types.h $(KBUILD_CPPFLAGS) \
	$(KBUILD_CFLAGS) $(KBUILD_CFLAGS_MODULE) -DMODULE \
	-DKBUILD_BASENAME='"twctl_probe"' -DKBUILD_MODNAME='"twctl_probe"' \
	-D__KBUILD_MODNAME=kmod_twctl_probe -Werror -fsyntax-only \
	$(src)/compat/try/$(1).c >/dev/null 2>&1 && echo y)

ifneq ($(call twctl_try_compile,baseline),y)
$(error twctl: the try-compile probe command fails on compat/try/baseline.c against this kernel)
endif

# Required. A header grep for this matched 5.10's death row for another
# reason; the compiler decides. twctl reaches every table through it.
ifneq ($(call twctl_try_compile,death_row_hashinfo),y)
$(error twctl needs net->ipv4.tcp_death_row.hashinfo (Linux 5.10 or later))
endif
ifeq ($(call twctl_try_compile,tw_refcount),y)
ccflags-y += -DTWCTL_HAVE_TW_REFCOUNT
endif
ifeq ($(call twctl_try_compile,net_cookie_u64),y)
ccflags-y += -DTWCTL_HAVE_NET_COOKIE_U64
endif

ifeq ($(call twctl_probe,net/genetlink.h,genl_info_dump),y)
ccflags-y += -DTWCTL_HAVE_GENL_INFO_DUMP
endif
ifeq ($(call twctl_probe,net/netns/ipv4.h,u32[[:space:]]+range;),y)
ccflags-y += -DTWCTL_HAVE_PACKED_PORT_RANGE
endif
ifeq ($(call twctl_try_compile,tw_reuse_delay),y)
ccflags-y += -DTWCTL_HAVE_TW_REUSE_DELAY
endif
ifeq ($(call twctl_try_compile,tw_entry_stamp),y)
ccflags-y += -DTWCTL_HAVE_TW_ENTRY_STAMP
endif

# 6.13 turned symbol namespaces into string literals.
ifeq ($(call twctl_try_compile,ns_unquoted),y)
ccflags-y += -DTWCTL_HAVE_NS_UNQUOTED
endif

# TWCTL_FORCE_NO_MCAST_CAP=1 builds as for a kernel without it (to test that).
ifeq ($(TWCTL_FORCE_NO_MCAST_CAP)$(call twctl_probe,net/genetlink.h,GENL_MCAST_CAP_NET_ADMIN),y)
ccflags-y += -DTWCTL_HAVE_GENL_MCAST_CAP
endif
