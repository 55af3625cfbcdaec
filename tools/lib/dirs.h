/* SPDX-License-Identifier: GPL-2.0 */
/* Folders: creating a path with its parents. */
#ifndef VQLAB_DIRS_H
#define VQLAB_DIRS_H

/* mkdir -p @path with @mode for each new folder. 0 or -errno. */
int mkdir_p(const char *path, int mode);

#endif
