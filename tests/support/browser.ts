// Debian's Chromium driven by playwright-core (Playwright's own browser download is not available).
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Collects the page's console errors and uncaught exceptions, so a test can assert there were none. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    // "Failed to load resource" names no resource; its location does, which a failure report needs.
    if (m.type() === 'error') errors.push(m.location().url ? `${m.text()} (${m.location().url})` : m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

/**
 * Seconds the page's main thread spends running script during `ms` milliseconds of doing nothing:
 * near zero on an idle page, near ms/1000 when a render loop keeps it busy.
 */
export async function scriptSecondsWhileIdle(page: Page, ms: number): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('Performance.enable');
    const read = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ScriptDuration')!.value;
    const before = await read();
    await new Promise((resolve) => setTimeout(resolve, ms));
    return (await read()) - before;
  } finally {
    await cdp.detach();
  }
}

/** Signs in through the sign-in page. */
export async function signInThroughPage(page: Page, base: string, userName: string, password: string, path = '/') {
  await page.goto(`${base}${path}`);
  await page.getByLabel('User name').fill(userName);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * Waits for the field error `text` in `scope` and checks it is given the accessible way: an alert
 * outside any label, referenced by the aria-describedby of the control labelled `label`, which is
 * marked invalid and still found by its label alone.
 */
export async function expectFieldError(scope: Locator, label: string, text: string) {
  const error = scope.getByRole('alert').filter({ hasText: text });
  await error.waitFor();
  expect(await error.evaluate((el) => el.closest('label') === null)).toBe(true);
  const errorId = await error.getAttribute('id');
  expect(errorId).toBeTruthy();
  const control = scope.getByLabel(label, { exact: true });
  expect(await control.count()).toBe(1);
  expect((await control.getAttribute('aria-describedby'))?.split(' ')).toContain(errorId);
  expect(await control.getAttribute('aria-invalid')).toBe('true');
}

/** Checks that `target` lies wholly within the page's viewport (nothing to scroll to read it). */
export async function expectInViewport(page: Page, target: Locator) {
  const box = await target.boundingBox();
  const viewport = page.viewportSize();
  expect(box).not.toBeNull();
  expect(box!.y).toBeGreaterThanOrEqual(0);
  expect(box!.y + box!.height).toBeLessThanOrEqual(viewport!.height);
}
