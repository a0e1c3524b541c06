// Tests of the rendered book in a real browser: Debian's chromium, driven by playwright-core,
// against the book served by `cargo run`. The Rust Playground is answered by a stub, never by
// the network. Run from the repository: `npm ci --prefix tests/browser && node tests/browser/run.mjs`
// (.ci/run does this after installing chromium).

import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const screenshots = join(here, 'screenshots');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

// Search terms that must lead to a chapter, and the chapter each must find.
const SEARCHES = [
  { term: 'tokio-rusqlite', page: /part1\/async-database\.html/ },
  { term: 'spawn_blocking', page: /part1\/async-functions\.html/ },
  { term: 'task_local', page: /part2\/task-local-state\.html/ },
  // The first results teach `select!`; SQL's SELECT in the database chapter must not come first.
  { term: 'select!', page: /part3\/tasks\.html|part1\/cancellation\.html/, first: 3 },
  // Pasted from the error index: the compiler's own words.
  { term: '`await` is only allowed inside `async` functions and blocks', page: /part2\/coffee-and-pastry\.html/ },
];

const results = [];
async function check(name, body) {
  try {
    await body();
    results.push({ name, ok: true });
    console.log(`ok      ${name}`);
  } catch (error) {
    results.push({ name, ok: false, error });
    console.log(`FAILED  ${name}\n        ${String(error.stack || error).split('\n').join('\n        ')}`);
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

// Starts `cargo run -- --port N` and resolves once it says it is serving.
async function serveBook(port) {
  const child = spawn('cargo', ['run', '--quiet', '--', '--port', String(port)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let log = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the book server did not start:\n${log}`)), 300_000);
    const onData = (chunk) => {
      log += chunk;
      if (log.includes('Serving the book on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`the book server exited (${code}):\n${log}`)));
  });
  return child;
}

// The Playground's two endpoints, as mdBook's page script calls them.
async function stubPlayground(context) {
  const playgroundCalls = [];
  await context.route('https://play.rust-lang.org/**', async (route) => {
    const url = route.request().url();
    playgroundCalls.push(url);
    if (url.endsWith('/meta/crates')) {
      await route.fulfill({ json: { crates: [{ id: 'tokio' }, { id: 'anyhow' }] } });
    } else if (url.endsWith('/evaluate.json')) {
      await route.fulfill({ json: { result: 'stubbed playground output\n', error: null } });
    } else {
      await route.fulfill({ status: 404, body: '' });
    }
  });
  // Nothing else outside the book may be asked for.
  await context.route(/^https?:\/\/(?!127\.0\.0\.1|play\.rust-lang\.org)/, (route) => route.abort());
  return playgroundCalls;
}

function watchPage(page) {
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    const why = request.failure()?.errorText ?? 'no reason given';
    // The browser fetches the favicon on its own and drops the fetch when it no longer wants it
    // (it failed once in CI, on a page that had loaded); that says nothing about the page.
    if (why === 'net::ERR_ABORTED' && new URL(request.url()).pathname.startsWith('/favicon')) return;
    problems.push(`failed request (${why}): ${request.url()}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  return problems;
}

async function tableOfContents(base) {
  const toc = await (await fetch(`${base}/toc.html`)).text();
  const pages = new Set(['index.html']);
  for (const match of toc.matchAll(/href="([^"#]+\.html)"/g)) pages.add(match[1]);
  return [...pages];
}

// The chat server of Part 3's chat project, run as a reader runs it: its own binary on a free
// port, with a database in a temporary folder. Two pages log in as two users in two rooms, and
// each message must reach the page in its room and no other.
async function chatServer(port, database) {
  const child = spawn('cargo', ['run', '--quiet', '-p', 'chat-server', '--bin', 'chat-server', '--', `127.0.0.1:${port}`, database], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let log = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the chat server did not start:\n${log}`)), 300_000);
    const onData = (chunk) => {
      log += chunk;
      if (log.includes('chat on http://')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`the chat server exited (${code}):\n${log}`)));
  });
  return child;
}

async function checkChatPage(context) {
  await check('the chat page: two users in two rooms each see their own room only', async () => {
    const port = await freePort();
    const folder = mkdtempSync(join(tmpdir(), 'async-book-chat-'));
    const pages = [];
    let server = null;
    try {
      server = await chatServer(port, join(folder, 'chat.db'));
      const enter = async (name, room) => {
        const page = await context.newPage();
        pages.push(page);
        const errors = [];
        page.on('pageerror', (error) => errors.push(error));
        await page.goto(`http://127.0.0.1:${port}/`);
        await page.fill('#name', name);
        await page.fill('#password', `${name}'s password`);
        await page.click('#login');
        await page.locator('#log li', { hasText: `logged in as ${name}` }).waitFor();
        await page.selectOption('#room', room);
        await page.click('#join');
        await page.locator('#log li', { hasText: `${name} joined ${room}` }).waitFor();
        return { page, errors };
      };
      const ada = await enter('ada', 'rust');
      const bo = await enter('bo', 'python');
      const say = async ({ page }, text) => {
        await page.fill('#text', text);
        await page.click('#say');
      };
      await say(ada, 'hello, <b>rust</b>');
      await ada.page.locator('#log li', { hasText: '[rust] ada: hello, <b>rust</b>' }).waitFor();
      await say(bo, 'hello, python');
      await bo.page.locator('#log li', { hasText: '[python] bo: hello, python' }).waitFor();
      // ada's message was sent to everyone in rust before bo spoke: had bo been sent it, it
      // would have come before bo's own message, which bo has now seen.
      const adaLog = await ada.page.locator('#log').innerText();
      const boLog = await bo.page.locator('#log').innerText();
      assert(!adaLog.includes('python'), `ada's page shows python's room:\n${adaLog}`);
      assert(!boLog.includes('rust'), `bo's page shows rust's room:\n${boLog}`);
      // The markup in the message is shown as text, never made into an element.
      assert((await ada.page.locator('#log b').count()) === 0, 'a message became HTML');
      assert(ada.errors.length === 0 && bo.errors.length === 0, `page errors: ${ada.errors} ${bo.errors}`);
    } finally {
      for (const page of pages) await page.close();
      if (server && server.exitCode === null) {
        const exited = new Promise((resolve) => server.once('exit', resolve));
        process.kill(-server.pid, 'SIGTERM');
        await exited;
      }
      rmSync(folder, { recursive: true, force: true });
    }
  });
}

async function main() {
  rmSync(screenshots, { recursive: true, force: true });
  mkdirSync(screenshots, { recursive: true });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = await serveBook(port);
  const profile = mkdtempSync(join(tmpdir(), 'async-book-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
    ],
  });
  try {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    const playgroundCalls = await stubPlayground(context);
    const page = context.pages()[0] || (await context.newPage());
    const pages = await tableOfContents(base);

    await check(`the table of contents lists the written chapters (${pages.length} pages)`, async () => {
      assert(pages.includes('part2/coffee-and-pastry.html'), `coffee-and-pastry is missing: ${pages}`);
      assert(pages.includes('appendix/errors.html'), 'the error index is missing');
    });

    for (const path of pages) {
      await check(`${path} loads without errors and passes axe (serious, critical)`, async () => {
        const problems = watchPage(page);
        await page.goto(`${base}/${path}`, { waitUntil: 'networkidle' });
        await page.addScriptTag({ content: axeSource });
        const axe = await page.evaluate(async () => {
          const report = await window.axe.run(document, { resultTypes: ['violations'] });
          return report.violations
            .filter((v) => v.impact === 'serious' || v.impact === 'critical')
            .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.length}x, e.g. ${v.nodes[0].target})`);
        });
        page.removeAllListeners('console');
        page.removeAllListeners('pageerror');
        page.removeAllListeners('requestfailed');
        page.removeAllListeners('response');
        assert(problems.length === 0, problems.join('\n'));
        assert(axe.length === 0, axe.join('\n'));
      });
    }

    for (const theme of ['light', 'rust', 'coal', 'navy', 'ayu']) {
      await check(`listing figures, badges, output and timelines keep their contrast in the ${theme} theme`, async () => {
        await page.goto(`${base}/part2/coffee-and-pastry.html`, { waitUntil: 'networkidle' });
        await page.evaluate((name) => localStorage.setItem('mdbook-theme', name), theme);
        await page.reload({ waitUntil: 'networkidle' });
        assert(await page.evaluate((name) => document.documentElement.classList.contains(name), theme), `not in ${theme}`);
        await page.addScriptTag({ content: axeSource });
        const axe = await page.evaluate(async () => {
          const report = await window.axe.run(
            { include: [['figure.listing'], ['figure.timeline-figure']] },
            { runOnly: ['color-contrast'], resultTypes: ['violations'] },
          );
          return report.violations.map((v) => `${v.id}: ${v.nodes.length}x, e.g. ${v.nodes[0].target} (${v.nodes[0].failureSummary})`);
        });
        assert(axe.length === 0, axe.join('\n'));
      });
    }
    await page.evaluate(() => localStorage.removeItem('mdbook-theme'));

    await check('the Playground is only ever reached through the stub', async () => {
      assert(playgroundCalls.length > 0, 'no page asked the Playground for its crates');
      assert(playgroundCalls.every((url) => url.startsWith('https://play.rust-lang.org/')), playgroundCalls.join('\n'));
    });

    for (const { term, page: expected, first } of SEARCHES) {
      await check(`search for "${term}" finds its chapter`, async () => {
        await page.goto(`${base}/index.html`, { waitUntil: 'networkidle' });
        await page.click('#mdbook-search-toggle');
        const box = page.locator('#mdbook-searchbar');
        await box.pressSequentially(term, { delay: 5 });
        await page.waitForSelector('#mdbook-searchresults a', { timeout: 20000 });
        const links = await page.$$eval('#mdbook-searchresults a', (as) => as.map((a) => a.getAttribute('href')));
        assert(links.some((href) => expected.test(href)), `no result leads to ${expected}: ${links.join(', ')}`);
        if (first) {
          const top = links.slice(0, first);
          assert(top.every((href) => expected.test(href)), `the first ${first} results are ${top.join(', ')}`);
        }
      });
    }

    await check('next and previous take the reader through the chapters', async () => {
      await page.goto(`${base}/introduction.html`, { waitUntil: 'networkidle' });
      // mdBook shows wide side buttons or small bottom ones, depending on the window's width.
      await page.locator('a[rel~="next"]:visible').first().click();
      await page.waitForLoadState('networkidle');
      const next = page.url();
      assert(!next.endsWith('/introduction.html'), `next stayed on ${next}`);
      await page.locator('a[rel~="prev"]:visible').first().click();
      await page.waitForLoadState('networkidle');
      assert(page.url().endsWith('/introduction.html'), `previous went to ${page.url()}`);
    });

    await check('the theme switch changes the theme, and the choice stays', async () => {
      await page.goto(`${base}/part2/coffee-and-pastry.html`, { waitUntil: 'networkidle' });
      await page.click('#mdbook-theme-toggle');
      await page.click('#mdbook-theme-coal');
      assert(await page.evaluate(() => document.documentElement.classList.contains('coal')), 'the page is not in the coal theme');
      await page.reload({ waitUntil: 'networkidle' });
      assert(await page.evaluate(() => document.documentElement.classList.contains('coal')), 'the theme was forgotten on reload');
      await page.locator('#listing-8-1').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(screenshots, 'coffee-and-pastry-coal.png') });
      await page.locator('figure.timeline-figure').first().scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(screenshots, 'timeline-coal.png') });
      await page.click('#mdbook-theme-toggle');
      await page.click('#mdbook-theme-light');
    });

    await check('the copy button copies the listing', async () => {
      await page.goto(`${base}/part2/coffee-and-pastry.html`, { waitUntil: 'networkidle' });
      const listing = page.locator('#listing-8-1');
      await listing.hover();
      await listing.locator('.clip-button').first().click();
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      assert(copied.includes('fn make_coffee()') && copied.includes('thread::sleep'), `copied: ${copied.slice(0, 200)}`);
    });

    await check('a Run button runs a self-contained listing (through the stub)', async () => {
      await page.goto(`${base}/part2/coffee-and-pastry.html`, { waitUntil: 'networkidle' });
      const join = page.locator('#listing-8-4');
      await join.hover();
      await join.locator('.play-button').click();
      await join.locator('.result').waitFor();
      const result = await join.locator('.result').innerText();
      assert(result.includes('stubbed playground output'), `the run showed: ${result}`);
      const noButton = await page.locator('#listing-8-8 .play-button').count();
      assert(noButton === 0, 'a compile-fail listing has a Run button');
    });

    await check('the next and previous links name the chapter they lead to', async () => {
      await page.goto(`${base}/part2/coffee-and-pastry.html`, { waitUntil: 'networkidle' });
      const next = await page.getAttribute('a.nav-chapters.next', 'aria-label');
      const previous = await page.getAttribute('a.nav-chapters.previous', 'title');
      assert(next === 'Next: Processes, threads and async tasks', `next says: ${next}`);
      assert(previous === 'Previous: Putting it together: an agent', `previous says: ${previous}`);
    });

    await check('Python snippets are labelled as Python', async () => {
      await page.goto(`${base}/part2/coffee-and-pastry.html`, { waitUntil: 'networkidle' });
      const label = await page.evaluate(() => {
        const pre = document.querySelector('pre:has(> code.language-python)');
        return pre && getComputedStyle(pre, '::before').content;
      });
      assert(label === '"Python"', `the label is ${label}`);
    });

    await check('a page with Run buttons has no uncaught error when the Playground cannot be reached', async () => {
      const offline = await context.newPage();
      const errors = [];
      offline.on('pageerror', (error) => errors.push(error.message));
      await offline.route('https://play.rust-lang.org/**', (route) => route.abort());
      await offline.goto(`${base}/part2/coffee-and-pastry.html`, { waitUntil: 'networkidle' });
      await offline.waitForTimeout(300);
      await offline.close();
      assert(errors.length === 0, errors.join('\n'));
    });

    await check('at 390 px, tables show every column and timelines keep readable text', async () => {
      const phone = await context.newPage();
      await phone.setViewportSize({ width: 390, height: 844 });
      await phone.goto(`${base}/appendix/asyncio-to-tokio.html`, { waitUntil: 'networkidle' });
      const cells = await phone.evaluate(() => Array.from(document.querySelectorAll('.table-wrapper td')).map((td) => {
        const box = td.getBoundingClientRect();
        return { right: box.right, label: td.getAttribute('data-label') };
      }));
      assert(cells.length > 20, `only ${cells.length} cells`);
      assert(cells.every((c) => c.right <= 390 && c.label), 'a cell is off screen or unlabelled');
      await phone.screenshot({ path: join(screenshots, 'asyncio-to-tokio-390.png') });
      await phone.goto(`${base}/part2/coffee-and-pastry.html`, { waitUntil: 'networkidle' });
      const textPx = await phone.evaluate(() => {
        const svg = document.querySelector('svg.timeline');
        return (svg.getBoundingClientRect().width / svg.viewBox.baseVal.width) * 12;
      });
      assert(textPx >= 10, `timeline text is ${textPx.toFixed(1)} px`);
      await phone.locator('figure.timeline-figure').first().scrollIntoViewIfNeeded();
      await phone.screenshot({ path: join(screenshots, 'timeline-390.png') });
      await phone.close();
    });

    const shots = [
      ['introduction.html', 'introduction.png', null],
      ['part2/coffee-and-pastry.html', 'coffee-and-pastry-listing.png', '#listing-8-1'],
      ['part2/coffee-and-pastry.html', 'coffee-and-pastry-timeline.png', 'figure.timeline-figure'],
      ['part2/coffee-and-pastry.html', 'coffee-and-pastry-compile-error.png', '#listing-8-8'],
      ['appendix/errors.html', 'error-index.png', null],
      ['appendix/asyncio-to-tokio.html', 'asyncio-to-tokio.png', null],
    ];
    await check(`screenshots of key pages are written to ${screenshots}`, async () => {
      for (const [path, file, selector] of shots) {
        await page.goto(`${base}/${path}`, { waitUntil: 'networkidle' });
        if (selector) await page.locator(selector).first().scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(screenshots, file) });
      }
    });
    await checkChatPage(context);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    process.kill(-server.pid, 'SIGINT');
  }

  const failed = results.filter((r) => !r.ok).length;
  console.log(`\nbrowser: ${results.length - failed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
