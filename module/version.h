/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TWCTL_VERSION_H
#define _TWCTL_VERSION_H

#define TWCTL_VERSION "0.1.0"

#endif /* _TWCTL_VERSION_H */
