/**
 * The real docker-buildx and docker-compose as judges (see tools.ts for what was learnt running them):
 * tools.ts finds and runs them; bake.ts and compose.ts print bake files with them; ssh.ts makes what bake
 * checks ssh entries against; normalise.ts and compare.ts compare two printed bake files; differential.ts
 * does the whole step. Every runner is asynchronous, so tests can keep several tool processes running.
 */
export * from "./tools";
export * from "./bake";
export * from "./compose";
export * from "./ssh";
export * from "./normalise";
export * from "./compare";
export * from "./differential";
