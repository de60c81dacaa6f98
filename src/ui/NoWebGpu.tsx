// Shown over the app where the browser offers no WebGPU: the app still runs, on the CPU route
// (WebAssembly SIMD threads), and this banner says so, why, and how to get WebGPU for more speed.

export function NoWebGpu({ reason }: { reason: string }) {
  return (
    <section className="no-webgpu banner" data-testid="no-webgpu" role="status">
      <p>
        <strong>No WebGPU here, so models run on the CPU route</strong> (WebAssembly SIMD, in a worker). Everything works; a GPU is faster for large models.{' '}
        <span className="reason">What the browser said: {reason}</span>
      </p>
      <details>
        <summary>How to get WebGPU</summary>
        <ul>
          <li>
            <strong>Chrome or Edge 113 or newer</strong> on Windows, macOS or ChromeOS has WebGPU on by default. Update the browser (chrome://settings/help).
          </li>
          <li>
            <strong>Linux:</strong> start Chrome with <code>--enable-unsafe-webgpu --enable-features=Vulkan</code>, or turn on <code>chrome://flags/#enable-unsafe-webgpu</code> and
            restart. Without a GPU driver Chrome offers a software adapter (SwiftShader), slower than the CPU route.
          </li>
          <li>
            <strong>Managed browsers:</strong> your organisation may have switched WebGPU off with the enterprise policy <code>WebGpuEnabled</code>; ask your administrator.
          </li>
          <li>
            Check <code>chrome://gpu</code>: the line “WebGPU” should read “Hardware accelerated”.
          </li>
        </ul>
      </details>
    </section>
  );
}
