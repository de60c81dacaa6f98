// Shown instead of the app where the browser offers no WebGPU: what is missing and how to get it.

export function NoWebGpu({ reason }: { reason: string }) {
  return (
    <main className="no-webgpu" data-testid="no-webgpu">
      <h1>AlignScope needs WebGPU</h1>
      <p>
        AlignScope runs a language model on your GPU with WebGPU compute shaders. This browser did not give us a GPU adapter, so nothing can run here yet. Nothing was lost:
        once WebGPU is on, reload the page.
      </p>
      <p className="reason">
        <strong>What the browser said:</strong> {reason}
      </p>
      <h2>How to get WebGPU</h2>
      <ul>
        <li>
          <strong>Chrome or Edge 113 or newer</strong> on Windows, macOS or ChromeOS has WebGPU on by default. Update the browser (chrome://settings/help).
        </li>
        <li>
          <strong>Linux:</strong> start Chrome with <code>--enable-unsafe-webgpu --enable-features=Vulkan</code>, or turn on <code>chrome://flags/#enable-unsafe-webgpu</code> and
          restart. Without a GPU driver Chrome still offers a slow software adapter (SwiftShader) with the flag.
        </li>
        <li>
          <strong>Managed browsers:</strong> your organisation may have switched WebGPU off with the enterprise policy <code>WebGpuEnabled</code>; ask your administrator.
        </li>
        <li>
          Check <code>chrome://gpu</code>: the line “WebGPU” should read “Hardware accelerated”.
        </li>
      </ul>
    </main>
  );
}
