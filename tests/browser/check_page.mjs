// Loads pages of a running status page in headless Chromium and reports what a
// visitor gets: the visible text of each section, console errors, failed
// requests, scripts present, axe-core's violations, and a screenshot per width.
//
// Usage: node check_page.mjs <base url> <out dir> <label> <path> [path...]
// With WAIT_FOR=<text> and READY_FILE=<file> in the environment: the first
// page is loaded, READY_FILE is written (the caller then changes something),
// and the page is reloaded until its text contains WAIT_FOR; `appeared_at`
// (Unix ms) says when the browser first showed it.
// Prints one JSON object on stdout; the Python test judges it. Exit 3 when
// the browser or the packages are missing (the caller reports a skip).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let puppeteer, axeSource;
try {
  puppeteer = (await import('puppeteer-core')).default;
  axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
} catch (e) {
  console.log(JSON.stringify({ missing: `npm packages (run npm ci in tests/browser): ${e.message}` }));
  process.exit(3);
}
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
if (!fs.existsSync(chromium)) {
  console.log(JSON.stringify({ missing: `no Chromium at ${chromium}` }));
  process.exit(3);
}

const [base, outDir, label, ...paths] = process.argv.slice(2);
fs.mkdirSync(outDir, { recursive: true });
const widths = [{ name: 'phone', width: 390, height: 844, mobile: true }, { name: 'desktop', width: 1280, height: 900 }];

const browser = await puppeteer.launch({
  executablePath: chromium,
  headless: true,
  // Root in CI has no user namespace for the sandbox; the page is our own.
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--lang=en-US'],
});
const report = { pages: [] };
try {
  for (const p of paths) {
    for (const w of widths) {
      const page = await browser.newPage();
      const problems = [];
      page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
      await page.setViewport({ width: w.width, height: w.height, isMobile: !!w.mobile, deviceScaleFactor: 1 });
      // Reloads while waiting must fetch the page whole (a 304 is no new text).
      if (process.env.WAIT_FOR) await page.setCacheEnabled(false);
      let response = await page.goto(base + p, { waitUntil: 'load' });
      let appeared_at = null;
      if (process.env.WAIT_FOR && p === paths[0] && w === widths[0]) {
        fs.writeFileSync(process.env.READY_FILE, String(Date.now()));
        const deadline = Date.now() + 10000;
        while (Date.now() < deadline) {
          const body = await page.evaluate(() => document.body.innerText);
          if (body.includes(process.env.WAIT_FOR)) { appeared_at = Date.now(); break; }
          await new Promise((r) => setTimeout(r, 50));
          response = await page.reload({ waitUntil: 'load' });
        }
      }
      const shot = path.join(outDir, `${label}-${p === '/' ? 'home' : p.replace(/[^a-z0-9]+/gi, '_')}-${w.name}.png`);
      await page.screenshot({ path: shot, fullPage: true });
      const seen = await page.evaluate(() => {
        const text = (sel) => document.querySelector(sel)?.closest('section')?.innerText ?? null;
        return {
          title: document.title,
          lang: document.documentElement.lang,
          h1: document.querySelector('h1')?.innerText ?? null,
          banner: document.querySelector('#overall')?.innerText ?? null,
          active: text('#active'),
          history: text('#history'),
          components: text('#components'),
          body: document.body.innerText,
          scripts: document.querySelectorAll('script').length,
          images: document.querySelectorAll('img').length,
          // Wider than the viewport: the phone would scroll sideways.
          overflow: document.documentElement.scrollWidth > window.innerWidth,
        };
      });
      await page.evaluate(axeSource);
      const axe = await page.evaluate(async () => {
        const r = await window.axe.run(document, { resultTypes: ['violations'] });
        return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
          target: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
      });
      report.pages.push({ path: p, width: w.name, status: response.status(), screenshot: shot, problems, axe, appeared_at, ...seen });
      await page.close();
    }
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));
