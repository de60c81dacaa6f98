import { expect, test } from '@playwright/test';

test('without --enable-unsafe-webgpu the app explains how to get WebGPU instead of crashing', async ({ page }, info) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  const explain = page.getByTestId('no-webgpu');
  await expect(explain).toBeVisible();
  await expect(explain.getByRole('heading', { name: 'AlignScope needs WebGPU' })).toBeVisible();
  await expect(explain).toContainText('--enable-unsafe-webgpu');
  await expect(explain).toContainText('WebGpuEnabled');
  await expect(explain).toContainText('Chrome or Edge 113');
  await page.screenshot({ path: info.outputPath('no-webgpu.png'), fullPage: true });
  expect(errors).toEqual([]);
});
