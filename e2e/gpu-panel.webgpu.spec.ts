import { expect, test } from '@playwright/test';

test('the GPU panel shows the SwiftShader adapter and the kernel self-test passes', async ({ page }, info) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/?model=none');
  await page.getByRole('tab', { name: 'GPU' }).click();
  await expect(page.getByRole('heading', { name: 'GPU', exact: true })).toBeVisible();
  await expect(page.getByTestId('adapter-architecture')).toHaveText('swiftshader');
  await expect(page.getByTestId('adapter-fallback')).toContainText('software');
  await expect(page.getByRole('row', { name: /maxStorageBufferBindingSize/ })).toBeVisible();

  await page.getByRole('button', { name: 'Run self-test' }).click();
  await expect(page.getByTestId('selftest-verdict')).toHaveText('Self-test passed');
  const rows = page.locator('table.results tbody tr');
  await expect(rows).toHaveCount(3);
  await expect(rows.first()).toContainText('f32 256x256x256');
  for (const text of await rows.allTextContents()) expect(text).toContain('✓');

  // The whole decoder against onnxruntime-web's WebGPU backend on the same adapter.
  await page.getByRole('button', { name: 'Check' }).click();
  await expect(page.getByTestId('parity-verdict')).toHaveText('Our engine agrees with onnxruntime-web', { timeout: 120_000 });
  await expect(page.getByRole('row', { name: /32 greedy tokens/ })).toContainText('identical');

  await page.screenshot({ path: info.outputPath('gpu-panel.png'), fullPage: true });
  expect(errors).toEqual([]);
});
