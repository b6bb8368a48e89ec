// axe-core (WCAG 2.1 A/AA and best practices) on the screens everyone
// meets first, as they first show and with their errors shown, on a wide
// screen and at 390 px, where nothing may scroll sideways. Every page is
// under the CSP guard (eachDatabase fails the test on any report).
import assert from 'node:assert/strict';
import {
  DESKTOP,
  MOBILE,
  alertText,
  checkA11y,
  eachDatabase,
  noSidewaysScroll,
  signIn,
  visible,
  waitForScreen,
} from './harness.mjs';

for (const [size, viewport] of [
  ['wide screen', DESKTOP],
  ['390 px', MOBILE],
]) {
  const mobile = viewport === MOBILE;

  eachDatabase(`accessibility (${size}): setup, sign-in and the shell`, async ({ start, browser }) => {
    const bureau = await start();
    const { page } = await browser({ viewport });
    const check = async (label) => {
      await checkA11y(page, `${label} at ${size}`);
      if (mobile) await noSidewaysScroll(page, label);
    };

    await page.goto(bureau.setupLink);
    await waitForScreen(page, { heading: 'Set up Bureau' });
    await check('the setup screen');
    await page.getByRole('button', { name: 'Create administrator' }).click();
    assert.equal(await alertText(page), 'Please correct the fields marked below.');
    // The error summary takes focus, so a screen reader reads it first.
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('role')), 'alert');
    await check('the setup screen with errors');

    const admin = await bureau.createUser({ role: 'admin', name: 'Grace Hopper' });
    await page.goto(bureau.admin('/signin'));
    await waitForScreen(page, { heading: 'Sign in to Bureau' });
    await check('the sign-in screen');
    await page.getByLabel('Email address').fill(admin.email);
    await page.getByLabel('Password').fill('wrong password, wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    assert.equal(await alertText(page), 'The email address or password is not correct.');
    await check('the sign-in screen with the error');
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Empty password: caught before any request.
    await page.getByLabel('Password').fill('');
    await page.getByRole('button', { name: 'Sign in' }).click();
    assert.equal(await alertText(page), 'Enter your email address and your password.');

    await signIn(page, admin.email, admin.password);
    await check('the directory');
    const nav = page.getByRole('navigation', { name: 'Main' });
    const menu = page.getByRole('button', { name: 'Menu' });
    if (mobile) {
      // The header folds into a Menu button.
      assert.equal(await nav.isVisible(), false);
      assert.equal(await menu.getAttribute('aria-expanded'), 'false');
      await menu.click();
      assert.equal(await menu.getAttribute('aria-expanded'), 'true');
      await visible(nav.getByRole('link', { name: 'Users' }));
      await check('the directory with the menu open');
      // Following a link closes the menu again.
      await nav.getByRole('link', { name: 'Directory' }).click();
      assert.equal(await menu.getAttribute('aria-expanded'), 'false');
    } else {
      assert.equal(await menu.isVisible(), false);
      await visible(nav.getByRole('link', { name: 'Users' }));
    }

    await page.goto(bureau.admin('/no/such/screen'));
    assert.equal(await waitForScreen(page), 'Page not found');
    await check('the page-not-found screen');
  });
}
