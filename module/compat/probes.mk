# SPDX-License-Identifier: GPL-2.0
#
# Feature probes: each looks at the target kernel's own headers for the one
# thing twctl depends on, so backports are handled as well as versions. The
# results are -D flags consumed only by compat.h.

twctl_probe = $(shell grep -qE '$(2)' $(srctree)/include/$(1) 2>/dev/null && echo y)

ifneq ($(call twctl_probe,net/netns/ipv4.h,struct inet_hashinfo[[:space:]]*\*hashinfo),y)
$(error twctl needs a kernel with a per-netns TCP ehash pointer (Linux 6.1 or later))
endif

ifeq ($(call twctl_probe,net/genetlink.h,genl_info_dump),y)
ccflags-y += -DTWCTL_HAVE_GENL_INFO_DUMP
endif
ifeq ($(call twctl_probe,net/netns/ipv4.h,u32[[:space:]]+range;),y)
ccflags-y += -DTWCTL_HAVE_PACKED_PORT_RANGE
endif
ifeq ($(call twctl_probe,net/netns/ipv4.h,sysctl_tcp_tw_reuse_delay),y)
ccflags-y += -DTWCTL_HAVE_TW_REUSE_DELAY
endif

# TWCTL_FORCE_NO_MCAST_CAP=1 builds as for a kernel without it (to test that).
ifeq ($(TWCTL_FORCE_NO_MCAST_CAP)$(call twctl_probe,net/genetlink.h,GENL_MCAST_CAP_NET_ADMIN),y)
ccflags-y += -DTWCTL_HAVE_GENL_MCAST_CAP
endif
