// A minimal tar (ustar + pax long names) writer: build contexts for the container engine (`hud build`, tests).
import { readFile } from "node:fs/promises";
import { Readable } from "node:stream";

export type TarEntry =
  | { path: string; kind: "dir"; mode?: number }
  | { path: string; kind: "file"; source: string; mode: number }
  | { path: string; kind: "text"; text: string; mode?: number }
  | { path: string; kind: "symlink"; target: string };

const BLOCK = 512;

/** A tar stream of `entries` in order (parents before children), ending with the two zero blocks. */
export function tarStream(entries: TarEntry[]): Readable {
  return Readable.from(generate(entries));
}

async function* generate(entries: TarEntry[]): AsyncGenerator<Buffer> {
  for (const entry of entries) {
    const name = entry.kind === "dir" ? `${entry.path.replace(/\/$/, "")}/` : entry.path;
    // A file is read whole when its turn comes, so its header always matches what follows (sources may be
    // edited while the context streams).
    const body =
      entry.kind === "text"
        ? Buffer.from(entry.text)
        : entry.kind === "file"
          ? await readFile(entry.source)
          : undefined;
    const size = body?.length ?? 0;
    const target = entry.kind === "symlink" ? entry.target : "";
    // Names and link targets over the ustar fields go in a pax header before the entry.
    if (Buffer.byteLength(name) > 100 || Buffer.byteLength(target) > 100) {
      const records = [paxRecord("path", name), target ? paxRecord("linkpath", target) : ""].join("");
      const pax = Buffer.from(records);
      yield header({ name: "././@PaxHeader", size: pax.length, type: "x", mode: 0o644 });
      yield padded(pax);
    }
    const mode = entry.kind === "symlink" ? 0o777 : (entry.mode ?? (entry.kind === "dir" ? 0o755 : 0o644));
    const type = { dir: "5", file: "0", text: "0", symlink: "2" }[entry.kind];
    yield header({ name, size, type, mode, linkname: target });
    if (body) {
      yield body;
      if (size % BLOCK) yield Buffer.alloc(BLOCK - (size % BLOCK));
    }
  }
  yield Buffer.alloc(BLOCK * 2);
}

function paxRecord(key: string, value: string): string {
  // The record length counts its own digits.
  const rest = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(rest) + 1;
  while (String(length).length + Buffer.byteLength(rest) !== length) length++;
  return `${length}${rest}`;
}

function padded(data: Buffer): Buffer {
  const extra = data.length % BLOCK;
  return extra === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK - extra)]);
}

function header(fields: {
  name: string;
  size: number;
  type: string;
  mode: number;
  linkname?: string;
}): Buffer {
  const block = Buffer.alloc(BLOCK);
  const put = (text: string, offset: number, length: number) =>
    block.write(text.slice(0, length), offset, length, "utf8");
  const octal = (value: number, offset: number, length: number) =>
    put(`${value.toString(8).padStart(length - 1, "0")}\0`, offset, length);
  put(truncate(fields.name, 100), 0, 100);
  octal(fields.mode, 100, 8);
  octal(0, 108, 8);
  octal(0, 116, 8);
  octal(fields.size, 124, 12);
  octal(0, 136, 12);
  block.fill(" ", 148, 156);
  put(fields.type, 156, 1);
  put(truncate(fields.linkname ?? "", 100), 157, 100);
  put("ustar\0", 257, 6);
  put("00", 263, 2);
  let sum = 0;
  for (const byte of block) sum += byte;
  put(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8);
  return block;
}

function truncate(text: string, bytes: number): string {
  let out = text;
  while (Buffer.byteLength(out) > bytes) out = out.slice(0, -1);
  return out;
}
