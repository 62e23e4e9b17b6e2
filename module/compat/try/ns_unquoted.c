// SPDX-License-Identifier: GPL-2.0
/*
 * Try-compile probe (compat/probes.mk): is a symbol namespace still a bare
 * identifier that MODULE_IMPORT_NS() stringifies? 6.13 made namespaces
 * string literals, MODULE_IMPORT_NS("NS"); a bare name no longer compiles.
 */
#include <linux/module.h>

MODULE_IMPORT_NS(TWCTL_PROBE);
