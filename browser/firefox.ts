/**
 * Headless Firefox for the console's browser tests, driven by puppeteer-core over WebDriver BiDi
 * against the system's Firefox (Debian's `firefox-esr`; Playwright drives only its own patched
 * Firefox build).
 *
 * @module
 */
import puppeteer, { type Browser } from "puppeteer-core";

/** A Firefox with a fresh profile, removed again on dispose. */
export class TestFirefox implements AsyncDisposable {
  readonly browser: Browser;
  readonly #profile: string;

  private constructor(browser: Browser, profile: string) {
    this.browser = browser;
    this.#profile = profile;
  }

  /**
   * Launches headless Firefox with a throwaway profile; `loopbackNames` resolve to loopback (as a
   * DNS-rebinding attacker's domain would).
   */
  static async launch(executablePath: string, loopbackNames: string[] = []): Promise<TestFirefox> {
    const profile = await Deno.makeTempDir({ prefix: "console-firefox-" });
    try {
      const browser = await puppeteer.launch({
        browser: "firefox",
        protocol: "webDriverBiDi",
        executablePath,
        headless: true,
        userDataDir: profile,
        defaultViewport: { width: 1100, height: 640 },
        extraPrefsFirefox: {
          "network.dns.localDomains": loopbackNames.join(","),
          // Plain http to a made-up name, not an https attempt first.
          "dom.security.https_first": false,
        },
      });
      return new TestFirefox(browser, profile);
    } catch (error) {
      await Deno.remove(profile, { recursive: true });
      throw error;
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.browser.close();
    await Deno.remove(this.#profile, { recursive: true });
  }
}
