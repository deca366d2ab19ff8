// File transfer over an SFTP channel: pipelined writes, bounded reads, directory listings.
import type { SFTPWrapper } from "ssh2";

/**
 * Bytes per write call: OpenSSH's sftp-server takes 256 KiB requests (ssh2 learns the limit from its limits@openssh.com
 * extension); for servers that take less, ssh2 splits each call into requests of their size.
 */
const WRITE_CHUNK = 255 * 1024;
/** Write calls in flight at once (about 2 MiB, the SSH channel window). */
const WRITES_IN_FLIGHT = 8;

function open(sftp: SFTPWrapper, path: string, flags: "r" | "w"): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    sftp.open(path, flags, (error, handle) => (error ? reject(error) : resolve(handle)));
  });
}

function closeHandle(sftp: SFTPWrapper, handle: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    sftp.close(handle, (error) => (error ? reject(error) : resolve()));
  });
}

/** Create or truncate `path` and write `data`, keeping many write requests in flight. */
export async function sftpWriteFile(sftp: SFTPWrapper, path: string, data: Buffer): Promise<void> {
  const handle = await open(sftp, path, "w");
  let failure: unknown;
  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let active = 0;
      let failed = false;
      const pump = () => {
        while (!failed && active < WRITES_IN_FLIGHT && next < data.length) {
          const start = next;
          const length = Math.min(WRITE_CHUNK, data.length - start);
          next += length;
          active++;
          sftp.write(handle, data, start, length, start, (error) => {
            active--;
            if (failed) return;
            if (error) {
              failed = true;
              reject(error);
            } else if (next >= data.length && active === 0) resolve();
            else pump();
          });
        }
      };
      if (data.length === 0) resolve();
      else pump();
    });
  } catch (error) {
    failure = error;
  }
  try {
    await closeHandle(sftp, handle);
  } catch (error) {
    failure ??= error;
  }
  if (failure !== undefined) throw failure;
}

/** The whole file, or a RangeError when it is larger than `maxBytes`. */
export async function sftpReadFile(sftp: SFTPWrapper, path: string, maxBytes: number): Promise<Buffer> {
  const size = await new Promise<number>((resolve, reject) => {
    sftp.stat(path, (error, stats) => (error ? reject(error) : resolve(stats.size)));
  });
  if (size > maxBytes) throw new RangeError(`file is ${size} bytes, more than maxBytes (${maxBytes})`);
  return new Promise((resolve, reject) => {
    sftp.readFile(path, (error, data) => (error ? reject(error) : resolve(data)));
  });
}

/** Entry names (no "." or ".."), sorted. */
export function sftpListDir(sftp: SFTPWrapper, path: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    sftp.readdir(path, (error, list) => {
      if (error) reject(error);
      else
        resolve(
          list
            .map((entry) => entry.filename)
            .filter((name) => name !== "." && name !== "..")
            .sort(),
        );
    });
  });
}
