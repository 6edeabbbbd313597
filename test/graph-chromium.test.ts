// Every example's SVG opened in headless Chromium (Debian's chromium; .ci/run installs it): the page
// loads without an error, its document is an <svg> (not Chromium's XML error page), and a screenshot of
// it is not blank. Without a Chromium on the machine the tests are skipped, saying so.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { exampleGraphs } from './support/graphs.ts';
import { skip } from './support/skip.ts';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

if (!CHROMIUM) {
  skip('graph SVGs in headless Chromium', 'no chromium at /usr/bin/chromium (apt-get install chromium)');
} else {
  const puppeteer = (await import('puppeteer-core')).default;
  const graphs = await exampleGraphs();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netform-graph-'));
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--allow-file-access-from-files'] });

  /** Share of the screenshot's pixels that differ from its top-left pixel (the background), read by Chromium itself. */
  const scratch = await browser.newPage();
  async function inkShare(png: Uint8Array): Promise<number> {
    const page = scratch;
    {
      await page.setContent(`<img id="s" src="data:image/png;base64,${Buffer.from(png).toString('base64')}">`);
      return await page.evaluate(async () => {
        const img = document.getElementById('s') as HTMLImageElement;
        await img.decode();
        const c = document.createElement('canvas');
        c.width = img.naturalWidth;
        c.height = img.naturalHeight;
        const ctx = c.getContext('2d')!;
        ctx.drawImage(img, 0, 0);
        const d = ctx.getImageData(0, 0, c.width, c.height).data;
        let ink = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2]) ink++;
        return ink / (d.length / 4);
      });
    }
  }

  const page = await browser.newPage();
  await page.setViewport({ width: 1600, height: 1200 });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${String(e)}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });

  for (const g of graphs) {
    test(`graph ${g.name}: the SVG renders in headless Chromium, and the screenshot is not blank`, async () => {
      const file = path.join(dir, `${g.name}.svg`);
      writeFileSync(file, g.svg);
      problems.length = 0;
      const res = await page.goto(`file://${file}`, { waitUntil: 'load' });
      assert.ok(res === null || res.ok(), 'the file loads');
      const root = await page.evaluate(() => ({ name: document.documentElement.nodeName, errors: document.getElementsByTagName('parsererror').length }));
      assert.equal(root, { name: 'svg', errors: 0 });
      // The screenshot of the drawing itself, so that a small graph is not judged by the empty page around it.
      const svg = await page.$('svg');
      assert.ok(svg, 'an <svg> element');
      const shot = await svg!.screenshot({ type: 'png' });
      const ink = await inkShare(shot);
      assert.ok(ink > 0.01, `the screenshot is blank (${(ink * 100).toFixed(2)}% of its pixels drawn)`);
      assert.equal(problems, []);
    });
  }

  test('close the browser', async () => {
    await page.close();
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  });
}

test.run();
