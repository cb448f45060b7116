/**
 * The playground (web/) in a real browser: Debian's chromium driven by playwright-core (issue #16 item 4).
 * The page is built into a temporary folder and served by web/serve.js; every example, selected and pasted,
 * must give the CLI's output byte for byte; an error points at its line; the share link round-trips; no request
 * leaves the page. It also writes docs/playground.png, the README's screenshot.
 * Without chromium (`apt-get install chromium`, or CHROMIUM_PATH) the suite is skipped with one line (a failure
 * under CI=true, see test/support/skip-reporter.js).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { REPO, fixedEnv, runCli, tempProject } from "../support/run";
import { noteSkip } from "../support/skips";

const { buildWeb, readExamples } = require("../../web/build.js") as {
  buildWeb: (o: { outdir: string; minify?: boolean }) => Promise<unknown>;
  readExamples: () => Array<{ name: string; files: Array<{ name: string; text: string }> }>;
};

const { startServer } = require("../../web/serve.js") as {
  startServer: (dir: string) => Promise<{ url: string; close: () => Promise<void> }>;
};

/** Debian's chromium (or CHROMIUM_PATH), when installed. */
function findChromium(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  const which = spawnSync("sh", ["-c", "command -v chromium || command -v chromium-browser"], { encoding: "utf8" });
  if (which.status === 0) candidates.push(which.stdout.trim());
  return candidates.find((c): c is string => !!c && fs.existsSync(c));
}

const CHROMIUM = findChromium();
const describeBrowser = CHROMIUM ? describe : describe.skip;
if (!CHROMIUM)
  noteSkip("the playground's browser tests", "no chromium found (apt-get install chromium, or set CHROMIUM_PATH)");

const EXAMPLES = readExamples();
const SCREENSHOT = path.join(REPO, "docs", "playground.png");

describeBrowser("the playground in chromium", () => {
  let browser: Browser;
  let context: BrowserContext;
  let server: { url: string; close: () => Promise<void> };
  let outdir: string;
  /** Every request the pages made, and the ones that went anywhere but the local server (aborted). */
  const requests: string[] = [];
  const foreign: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), "c2b-web-"));
    await buildWeb({ outdir });
    server = await startServer(outdir);

    const { chromium } = require("playwright-core") as typeof import("playwright-core");
    // --no-sandbox: CI runs as root, where chromium's sandbox cannot start.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.route("**/*", (route) => {
      const url = route.request().url();
      requests.push(url);
      if (url.startsWith(server.url)) return route.continue();
      foreign.push(url);
      return route.abort();
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (outdir) fs.rmSync(outdir, { recursive: true, force: true });
  });

  afterEach(() => {
    expect(pageErrors).toEqual([]);
    expect(foreign).toEqual([]);
  });

  async function open(fragment = ""): Promise<Page> {
    const page = await context.newPage();
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(server.url + fragment);
    await page.waitForSelector("body[data-converted]");
    return page;
  }

  /** Runs `action` and waits for the conversion it causes, and for any other one still scheduled. */
  async function converted(page: Page, action: () => Promise<unknown>): Promise<void> {
    const before = Number(await page.getAttribute("body", "data-converted"));
    await action();
    await page.waitForFunction(
      (n) => Number(document.body.dataset.converted) > n && document.body.dataset.pending === undefined,
      before,
    );
  }

  const output = (page: Page) => page.$eval("#output", (e) => e.textContent ?? "");
  const tabNames = (page: Page) => page.$$eval("button.tab", (bs) => bs.map((b) => b.textContent ?? ""));

  async function setFormat(page: Page, format: "hcl" | "json"): Promise<void> {
    if (await page.isChecked(`#format-${format}`)) return;
    await converted(page, () => page.click(`label[for="format-${format}"]`));
  }

  /** Replaces the active file's text as a paste would: select all, delete, insert. */
  async function paste(page: Page, text: string): Promise<void> {
    await page.click(".cm-content");
    await page.keyboard.press("Control+A");
    // Cleared first (when there is something to clear), so that pasting the text already there still converts.
    if ((await page.$eval(".cm-content", (e) => e.textContent)) !== "")
      await converted(page, () => page.keyboard.press("Backspace"));
    await converted(page, () => page.keyboard.insertText(text));
  }

  test("the page loads with an example converted, and nothing but its own three files is fetched", async () => {
    const page = await open();
    expect(requests.map((u) => u.slice(server.url.length)).sort()).toEqual(["", "app.css", "app.js"]);
    expect(await output(page)).toBe(
      fs.readFileSync(path.join(REPO, "examples", "override", "docker-bake.hcl"), "utf8"),
    );
    // The page's Content-Security-Policy refuses any connection, even one a script would try.
    const attempt = await page.evaluate(() =>
      fetch("https://example.com/x").then(
        () => "sent",
        () => "blocked",
      ),
    );
    expect(attempt).toBe("blocked");
    await page.close();
  });

  test.each(EXAMPLES.map((e) => e.name))(
    "examples/%s, one click away, converts as the CLI does, HCL and JSON",
    async (name) => {
      const page = await open();
      await converted(page, () => page.click(`#examples button[data-example="${name}"]`));
      expect(await tabNames(page)).toEqual(EXAMPLES.find((e) => e.name === name)!.files.map((f) => f.name));
      for (const format of ["hcl", "json"] as const) {
        await setFormat(page, format);
        expect(await output(page)).toBe(
          fs.readFileSync(path.join(REPO, "examples", name, `docker-bake.${format}`), "utf8"),
        );
      }
      await page.close();
    },
  );

  test.each(EXAMPLES.map((e) => e.name))(
    "examples/%s pasted into the editor converts as the CLI does",
    async (name) => {
      const example = EXAMPLES.find((e) => e.name === name)!;
      const page = await open();
      // The first page shows examples/override: compose.yaml and compose.override.yaml.
      await page.fill("#folder", name);
      for (const file of example.files) {
        await page.click(`button.tab[data-file="${file.name}"]`);
        await paste(page, file.text);
      }
      for (const tab of await tabNames(page)) {
        if (!example.files.some((f) => f.name === tab))
          await converted(page, () => page.click(`button[aria-label="Remove ${tab}"]`));
      }
      expect(await output(page)).toBe(fs.readFileSync(path.join(REPO, "examples", name, "docker-bake.hcl"), "utf8"));
      await page.close();
    },
  );

  test("profiles, environment and --resolve give what the CLI writes with those flags", async () => {
    const example = EXAMPLES.find((e) => e.name === "override")!;
    const parent = tempProject(Object.fromEntries(example.files.map((f) => [`override/${f.name}`, f.text])));
    try {
      const dir = path.join(parent, "override");
      const cli = runCli(["--resolve", "--profile", "debug", "-o", "docker-bake.json"], {
        cwd: dir,
        env: fixedEnv({ TAG: "9.1" }),
      });
      expect(cli.status).toBe(0);
      const page = await open();
      await setFormat(page, "json");
      await converted(page, () => page.click('label[for="variables-resolve"]'));
      await page.fill("#profiles", "debug");
      await converted(page, () => page.fill("#env", "TAG=9.1"));
      expect(await output(page)).toBe(fs.readFileSync(path.join(dir, "docker-bake.json"), "utf8"));
      await page.close();
    } finally {
      fs.rmSync(parent, { recursive: true, force: true });
    }
  });

  test("a broken file shows the CLI's error at its line, highlighted in the editor", async () => {
    const broken = "services:\n  app:\n    build: .\n    platfrom: linux/amd64\n";
    const dir = tempProject({ "compose.yaml": broken });
    let expected: string;
    try {
      const cli = runCli([], { cwd: dir });
      expect(cli.status).toBe(2);
      expected = cli.stderr.trim();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(expected).toMatch(/^compose\.yaml:4:5: error: /);
    const page = await open();
    await converted(page, () => page.click('button[aria-label="Remove compose.override.yaml"]'));
    await paste(page, broken);
    expect(await page.$$eval("#diagnostics li.error", (lis) => lis.map((l) => l.textContent))).toEqual([expected]);
    expect(await page.$$eval(".cm-line.cm-error-line", (ls) => ls.map((l) => l.textContent))).toEqual([
      "    platfrom: linux/amd64",
    ]);
    expect(await page.getAttribute("#output", "class")).toContain("stale");
    // The message is a link to the place: the cursor goes to line 4, column 5.
    await page.click("#diagnostics li.error button");
    const cursor = await page.evaluate(() => {
      const sel = window.getSelection()!;
      return { line: sel.anchorNode?.parentElement?.closest(".cm-line")?.textContent, offset: sel.anchorOffset };
    });
    expect(cursor.line).toBe("    platfrom: linux/amd64");
    // Fixed: the error and the highlight go away.
    await paste(page, broken.replace("platfrom", "platform"));
    expect(await page.$$eval("#diagnostics li.error", (lis) => lis.length)).toBe(0);
    expect(await page.$$eval(".cm-error-line", (ls) => ls.length)).toBe(0);
    await page.close();
  });

  test("the share link round-trips the files and the settings, and sends nothing", async () => {
    const page = await open();
    await converted(page, () => page.click('#examples button[data-example="secrets"]'));
    await page.click('button.tab[data-file="compose.yaml"]');
    const edited = EXAMPLES.find((e) => e.name === "secrets")!.files[0]!.text + "# shared: ü ✓\n";
    await paste(page, edited);
    page.once("dialog", (d) => void d.accept(".env"));
    await converted(page, () => page.click("#add-file"));
    await paste(page, "NPM_TOKEN_FILE=x\n");
    await setFormat(page, "json");
    await page.fill("#profiles", "a, b");
    await converted(page, () => page.fill("#env", "A=1"));
    const before = { output: await output(page), tabs: await tabNames(page) };
    const sent = requests.length;
    const link = await shareLink(page);
    expect(link).toMatch(/#s=[A-Za-z0-9_-]+$/);
    expect(requests.length).toBe(sent);
    await page.close();

    const again = await open(link.slice(link.indexOf("#")));
    expect(await tabNames(again)).toEqual(before.tabs);
    expect(await output(again)).toBe(before.output);
    expect(await again.inputValue("#profiles")).toBe("a, b");
    expect(await again.inputValue("#env")).toBe("A=1");
    expect(await again.isChecked("#format-json")).toBe(true);
    // Every file's text and setting came back: sharing again gives the same link.
    expect(await shareLink(again)).toBe(link);
    await again.close();
  });

  async function shareLink(page: Page): Promise<string> {
    await page.evaluate(() => ((document.getElementById("share-link") as HTMLInputElement).value = ""));
    await page.click("#share");
    await page.waitForFunction(() => (document.getElementById("share-link") as HTMLInputElement).value !== "");
    return page.inputValue("#share-link");
  }

  test("keyboard only: arrows move between file tabs, Tab leaves the editor", async () => {
    const page = await open();
    await page.focus('button.tab[data-file="compose.yaml"]');
    await page.keyboard.press("ArrowRight");
    expect(await page.getAttribute('button.tab[data-file="compose.override.yaml"]', "aria-selected")).toBe("true");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("compose.override.yaml");
    await page.click(".cm-content");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.classList.contains("cm-content"))).toBe(false);
    await page.close();
  });

  test("fits a phone-width screen without sideways scrolling", async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    try {
      await phone.route("**/*", (route) =>
        route.request().url().startsWith(server.url)
          ? route.continue()
          : (foreign.push(route.request().url()), route.abort()),
      );
      const page = await phone.newPage();
      await page.goto(server.url);
      await page.waitForSelector("body[data-converted]");
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    } finally {
      await phone.close();
    }
  });

  test("writes the README's screenshot (docs/playground.png)", async () => {
    const page = await open();
    // The same picture on every run: fonts loaded, nothing focused or hovered, no caret drawn.
    await page.evaluate(() => document.fonts.ready.then(() => (document.activeElement as HTMLElement | null)?.blur()));
    await page.mouse.move(0, 0);
    await page.screenshot({ path: SCREENSHOT, animations: "disabled", caret: "hide" });
    expect(fs.statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
    await page.close();
  });
});
