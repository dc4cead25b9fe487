// What a failed file-system call means to the person who ran vfmc. Node reports such failures as errors with an
// errno `code` (ENOSPC, EACCES, …), a `syscall` and usually the `path`; these are never vfmc bugs — the disk is
// full, the folder read-only, the path names a folder — so they become catalogue diagnostics naming the path.

/** A Node file-system error: what `fs` throws. */
export interface FsError extends Error {
  readonly code: string;
  readonly syscall?: string;
  readonly path?: string;
}

/** errno code → the words a diagnostic uses for it, and what the user can do about it. */
const REASONS: Readonly<Record<string, readonly [reason: string, remedy: string]>> = {
  ENOSPC: ["no space left on the device", "free some disk space or write somewhere else"],
  EDQUOT: ["the disk quota is used up", "free some space under your quota or write somewhere else"],
  EFBIG: [
    "the file would be larger than this system allows",
    "check `ulimit -f` and the file system's file-size limit",
  ],
  EACCES: ["permission denied", "check the permissions of the file and of its folder"],
  EPERM: [
    "the operation is not permitted (an immutable or protected file or folder?)",
    "check the file's attributes (lsattr) and its folder's",
  ],
  EROFS: ["the file system is read-only", "write somewhere else"],
  EISDIR: ["it is a folder", "give the path of a file"],
  ENOTDIR: ["a part of the path is a file, not a folder", "check each folder along the path"],
  ENOENT: ["no such file or folder", "check the path; paths are relative to the current directory"],
  EEXIST: ["something already exists there", "remove it or choose another path"],
  ENOTEMPTY: ["the folder is not empty", "remove it or choose another path"],
  ENAMETOOLONG: ["the path is too long", "use a shorter path"],
  ELOOP: ["the path has a loop of symbolic links", "check the links along the path"],
  EMFILE: ["too many files are open", "raise the open-file limit (ulimit -n)"],
  ENFILE: [
    "the system has too many files open",
    "close other programs, or raise the system's open-file limit",
  ],
  EIO: ["an input/output error: the disk or the network file system failed", "check the device (dmesg)"],
  EBUSY: ["the file or folder is busy", "wait for the program that uses it, or choose another path"],
  ETXTBSY: ["the file is a running program", "choose another path"],
  EXDEV: ["the paths are on different file systems", "keep both paths on one file system"],
  ENXIO: ["no such device", "give the path of a regular file"],
  ENODEV: ["no such device", "give the path of a regular file"],
  ESPIPE: ["it is a pipe or a device, not a regular file", "give the path of a regular file"],
};

export function isFsError(e: unknown): e is FsError {
  return e instanceof Error && typeof (e as FsError).code === "string" && (e as FsError).code in REASONS;
}

/** "no space left on the device (ENOSPC)" for a file-system error, else the error's message. */
export function fsReason(e: unknown): string {
  if (isFsError(e)) return `${REASONS[e.code]![0]} (${e.code})`;
  return e instanceof Error ? e.message : String(e);
}

/** What to do about it (for a hint); a generic line for errors that are not file-system errors. */
export function fsRemedy(e: unknown): string {
  return isFsError(e) ? REASONS[e.code]![1] : "check the path, free disk space and permissions";
}

/** The errno codes this module explains (for tests). */
export const FS_ERROR_CODES: readonly string[] = Object.keys(REASONS);
