// The GPU device is lost mid-answer (a real GPUDevice.destroy() on the device ONNX Runtime uses, inside the
// worker): the answer keeps what arrived and says what happened, the conversation survives, and Retry brings the
// model back from IndexedDB on a fresh worker.
import { expect, it } from 'vitest';
import { TINY_REPO } from '../fixtures/paths';
import { reportFault } from './fault-report';
import {
  APP_URL,
  sendMessage,
  setAnswerSettings,
  useStack,
  useTinyModel,
  waitForAnswer,
  waitForModelReady,
} from './harness';

const stack = useStack({ webgpu: true, mirror: true });

it('a GPU lost mid-answer gives a clear error, keeps the partial answer, and Retry recovers', async () => {
  const { page } = stack.session;
  const workerStarted = page.waitForEvent('worker');
  await page.goto(APP_URL);
  const worker = await workerStarted;
  // Keep a handle on the GPUDevice that ONNX Runtime will create, so the test can destroy it like a driver reset.
  await worker.evaluate(() => {
    const original = GPUAdapter.prototype.requestDevice;
    GPUAdapter.prototype.requestDevice = async function (this: GPUAdapter, descriptor?: GPUDeviceDescriptor) {
      const device = await original.call(this, descriptor);
      Object.assign(self, { __testDevice: device });
      return device;
    };
  });
  await useTinyModel(page, stack.mirror.url, TINY_REPO, 300);
  await page.getByRole('button', { name: 'Load model' }).click();
  await waitForModelReady(page);

  await sendMessage(page, 'A long answer, please.');
  const streaming = page.locator('[data-testid="message"][data-role="assistant"][data-status="streaming"]');
  await expect
    .poll(async () => (await streaming.getByTestId('message-content').innerText()).replace('▍', '').length, { timeout: 120_000 })
    .toBeGreaterThan(0);
  await worker.evaluate(() => {
    const device: unknown = Reflect.get(self, '__testDevice');
    if (!(device instanceof GPUDevice)) throw new Error('no GPUDevice captured');
    device.destroy();
  });

  const failed = await waitForAnswer(page);
  expect(failed.status).toBe('error');
  expect(failed.content.length).toBeGreaterThan(0);
  expect(await page.getByTestId('answer-error').innerText()).toContain('The GPU was lost');
  const loadError = page.getByTestId('load-error');
  await loadError.waitFor();
  expect(await loadError.getAttribute('data-error-name')).toBe('DeviceLost');

  stack.mirror.clearRequests();
  await page.getByRole('button', { name: 'Retry' }).click();
  await waitForModelReady(page);
  expect(stack.mirror.requests.filter((line) => line.startsWith('GET '))).toEqual([]);
  await setAnswerSettings(page, { maxNewTokens: 6 });
  await sendMessage(page, 'Are you back?');
  expect((await waitForAnswer(page)).status).toBe('done');
  expect(await page.locator('[data-testid="message"]').count()).toBe(4);
  reportFault(
    'GPU device destroyed mid-answer',
    '"The GPU was lost…" on the answer; the model panel names DeviceLost with Retry',
    'the partial answer (marked), the conversation; Retry reloads from IndexedDB (no download)',
  );
});
