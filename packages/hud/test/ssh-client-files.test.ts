// SshClient files against Debian's sshd: read, write, list over SFTP and over exec (cat/ls), binary data, odd names.
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Capability } from "../src/capabilities/capability.ts";
import { SshClient, type SshConnectOptions } from "../src/capabilities/clients/ssh.ts";
import { useCleanup } from "./support/cleanup.ts";
import { type Sshd, sshdUnavailable, startSshd } from "./support/sshd.ts";

const defer = useCleanup();
const servers: { sftp?: Sshd; plain?: Sshd } = {};

async function client(server: Sshd, options: SshConnectOptions = {}): Promise<SshClient> {
  const cap = Capability.ssh({
    url: server.url,
    user: server.user,
    hostPubkey: server.hostPubkey,
    clientKey: server.clientKey,
  });
  const connected = await SshClient.connect(cap, options);
  defer(() => connected.close());
  return connected;
}

const ODD_NAME = `it's a "file" with spaces $HOME & -dash`;

describe.skipIf(sshdUnavailable())("SshClient files against Debian sshd", () => {
  beforeAll(async () => {
    servers.sftp = await startSshd();
    servers.plain = await startSshd({ sftp: false });
  });
  afterAll(async () => {
    await servers.sftp?.stop();
    await servers.plain?.stop();
  });

  const modes = [
    { name: "over SFTP", server: () => servers.sftp!, options: {} },
    { name: "over exec, forced", server: () => servers.sftp!, options: { fileTransfer: "exec" as const } },
    { name: "over exec, no SFTP subsystem", server: () => servers.plain!, options: {} },
  ];

  for (const mode of modes) {
    describe(mode.name, () => {
      it("writes and reads back binary data byte for byte", async () => {
        const ssh = await client(mode.server(), mode.options);
        const dir = await mode.server().scratchDir();
        const data = Buffer.concat([randomBytes(3 * 1024 * 1024 + 17), Buffer.from([0, 10, 13, 255])]);
        await ssh.writeFile(join(dir, "blob.bin"), data);
        expect(readFileSync(join(dir, "blob.bin")).equals(data)).toBe(true);
        expect((await ssh.readFile(join(dir, "blob.bin"))).equals(data)).toBe(true);
        await ssh.writeFile(join(dir, "empty"), "");
        expect((await ssh.readFile(join(dir, "empty"))).length).toBe(0);
      });

      it("handles paths with spaces, quotes and shell characters; replaces existing files", async () => {
        const ssh = await client(mode.server(), mode.options);
        const dir = await mode.server().scratchDir();
        const path = join(dir, ODD_NAME);
        await ssh.writeFile(path, "first version, longer than the second\n");
        await ssh.writeFile(path, "héllo\n");
        expect(readFileSync(path, "utf8")).toBe("héllo\n");
        expect((await ssh.readFile(path)).toString()).toBe("héllo\n");
      });

      it("lists a directory sorted, with dotfiles, without . and ..", async () => {
        const ssh = await client(mode.server(), mode.options);
        const dir = await mode.server().scratchDir();
        for (const name of ["b.txt", ".hidden", "a b", ODD_NAME]) writeFileSync(join(dir, name), "x");
        expect(await ssh.listDir(dir)).toEqual([".hidden", "a b", "b.txt", ODD_NAME].sort());
      });

      it("fails with one line naming the path when it is missing or not writable", async () => {
        const ssh = await client(mode.server(), mode.options);
        const dir = await mode.server().scratchDir();
        const label = `capability 'shell' (127.0.0.1:${mode.server().port})`;
        await expect(ssh.readFile(join(dir, "missing"))).rejects.toThrow(
          `ssh ${label}: cannot read '${join(dir, "missing")}': `,
        );
        await expect(ssh.writeFile(join(dir, "no/such/dir/file"), "x")).rejects.toThrow(
          `ssh ${label}: cannot write '${join(dir, "no/such/dir/file")}': `,
        );
        await expect(ssh.listDir(join(dir, "missing"))).rejects.toThrow(
          `ssh ${label}: cannot list '${join(dir, "missing")}': `,
        );
      });

      it("refuses to read a file larger than maxBytes", async () => {
        const ssh = await client(mode.server(), mode.options);
        const dir = await mode.server().scratchDir();
        writeFileSync(join(dir, "big"), Buffer.alloc(5000));
        await expect(ssh.readFile(join(dir, "big"), { maxBytes: 4096 })).rejects.toThrow(/maxBytes \(4096\)/);
        expect((await ssh.readFile(join(dir, "big"), { maxBytes: 5000 })).length).toBe(5000);
      });
    });
  }

  it("fileTransfer 'sftp' fails clearly when the server has no SFTP subsystem", async () => {
    const ssh = await client(servers.plain!, { fileTransfer: "sftp" });
    await expect(ssh.listDir("/")).rejects.toThrow(
      `ssh capability 'shell' (127.0.0.1:${servers.plain!.port}) does not offer the SFTP subsystem`,
    );
  });

  it("SFTP and exec see the same files", async () => {
    const ssh = await client(servers.sftp!);
    const dir = await servers.sftp!.scratchDir();
    await ssh.writeFile(join(dir, "note"), "from sftp");
    expect((await ssh.exec(`cat ${join(dir, "note")}`)).stdout).toBe("from sftp");
  });
});
