/** What `bake --print` checks for ssh entries: an agent socket that exists and key files that parse. */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

/**
 * Binds a unix socket in a fresh temporary folder, for SSH_AUTH_SOCK: bake --print only checks that the
 * path is a socket (it never connects), so nothing has to answer on it. Always call close().
 */
export async function withSshAgentSocket(): Promise<{ path: string; close: () => Promise<void> }> {
  // Unix socket paths are limited to ~108 bytes, so keep the folder short.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "c2b-ssh-"));
  const socketPath = path.join(dir, "agent.sock");
  const server = net.createServer((conn) => conn.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => resolve());
  });
  let closed = false;
  return {
    path: socketPath,
    close: async () => {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Writes a freshly generated ed25519 private key (PKCS#8 PEM, mode 0600): bake --print parses the key
 * files named in `ssh` (`id=path`) and fails on anything that is not a key or a socket.
 */
export function writeSshPrivateKey(file: string): string {
  const { privateKey } = crypto.generateKeyPairSync("ed25519", {
    privateKeyEncoding: { format: "pem", type: "pkcs8" },
    publicKeyEncoding: { format: "pem", type: "spki" },
  });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, privateKey, { mode: 0o600 });
  return file;
}
