/** A throwaway ssh-agent (Debian's openssh-client) with throwaway keys made by ssh-keygen. */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface Key {
  /** Private key file (OpenSSH format, no passphrase, mode 0600). */
  file: string;
  privateKey: string;
  /** `SHA256:…` as `ssh-keygen -l` and `ssh-add -l` print it. */
  fingerprint: string;
}

export interface Agent {
  socket: string;
  /** Ends the agent (by its PID) and removes its folder; safe to call twice. */
  stop(): Promise<void>;
}

function sh(bin: string, args: string[], env: NodeJS.ProcessEnv = { PATH: process.env.PATH }): string {
  const r = spawnSync(bin, args, { encoding: "utf8", env, timeout: 30_000 });
  if (r.status !== 0) throw new Error(`${bin} ${args.join(" ")} failed: ${r.error?.message ?? ""}${r.stderr}`);
  return r.stdout;
}

/** The `SHA256:…` fingerprints in `ssh-add -l` / `ssh-keygen -l` output, sorted. */
export function fingerprints(text: string): string[] {
  return [...text.matchAll(/SHA256:[A-Za-z0-9+/]+/g)].map((m) => m[0]).sort();
}

export function makeKey(dir: string, name: string, type: "ed25519" | "ecdsa" = "ed25519"): Key {
  const file = path.join(dir, name);
  sh("ssh-keygen", ["-q", "-t", type, "-N", "", "-C", `c2b-e2e-${name}`, "-f", file]);
  const [fingerprint] = fingerprints(sh("ssh-keygen", ["-l", "-f", `${file}.pub`]));
  if (!fingerprint) throw new Error(`no fingerprint for ${file}`);
  return { file, privateKey: fs.readFileSync(file, "utf8"), fingerprint };
}

/** `ssh-agent -D -a SOCKET` (in the foreground, so its PID is the child's), then `ssh-add` of `keys`. */
export async function startAgent(dir: string, keys: Key[]): Promise<Agent> {
  const socket = path.join(dir, "agent.sock");
  const child: ChildProcess = spawn("ssh-agent", ["-D", "-a", socket], {
    stdio: "ignore",
    env: { PATH: process.env.PATH },
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let stopped = false;
  const agent: Agent = {
    socket,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
      fs.rmSync(socket, { force: true });
    },
  };
  try {
    const deadline = Date.now() + 10_000;
    while (!fs.existsSync(socket)) {
      if (child.exitCode !== null) throw new Error(`ssh-agent exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error("ssh-agent did not create its socket within 10 s");
      await new Promise((r) => setTimeout(r, 50));
    }
    const env = { PATH: process.env.PATH, SSH_AUTH_SOCK: socket };
    for (const k of keys) sh("ssh-add", ["-q", k.file], env);
    const listed = fingerprints(sh("ssh-add", ["-l"], env));
    const wanted = keys.map((k) => k.fingerprint).sort();
    if (JSON.stringify(listed) !== JSON.stringify(wanted)) throw new Error(`agent lists ${listed}, expected ${wanted}`);
    return agent;
  } catch (e) {
    await agent.stop();
    throw e;
  }
}

export function tempDir(label: string): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `c2b-e2e-${label}-`)));
}
