/**
 * Headless Chromium for the console's browser tests, driven by playwright-core against the
 * system's Chromium (Debian's `chromium` package).
 *
 * @module
 */
import { type BrowserContext, chromium, type Page } from "playwright-core";
import type { HttpClient } from "../tests/helpers/http_server.ts";
import { consoleUrl } from "./ticker.ts";

/** A browser with a fresh profile, removed again on dispose. */
export class TestBrowser implements AsyncDisposable {
  readonly context: BrowserContext;
  readonly #profile: string;

  private constructor(context: BrowserContext, profile: string) {
    this.context = context;
    this.#profile = profile;
  }

  /**
   * Launches headless Chromium; `hostRules` maps made-up names to addresses (for DNS rebinding
   * tests). Everything that would reach out to the network on its own is switched off.
   */
  static async launch(executablePath: string, hostRules = ""): Promise<TestBrowser> {
    const profile = await Deno.makeTempDir({ prefix: "console-browser-" });
    const context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      viewport: { width: 1100, height: 640 },
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        ...(hostRules === "" ? [] : [`--host-resolver-rules=${hostRules}`]),
      ],
    });
    return new TestBrowser(context, profile);
  }

  /** A new page signed in to the console through the link `client` is handed. */
  async openConsole(client: HttpClient): Promise<Page> {
    const page = await this.context.newPage();
    await page.goto(await consoleUrl(client));
    return page;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.context.close();
    await Deno.remove(this.#profile, { recursive: true });
  }
}
