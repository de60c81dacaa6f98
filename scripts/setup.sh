#!/usr/bin/env bash
# npm run setup — installs everything the tests need on a fresh Debian machine:
#   - Debian's chromium (the browser for e2e tests and benchmarks, and the SwiftShader Vulkan
#     driver that gives Node's Dawn a WebGPU adapter without a GPU) and the Vulkan loader,
#     unless CHROME_PATH names another Chrome and they are already present;
#   - Debian's clang-14 and lld-14, the compiler and linker of src/cpu/kernels (WebAssembly SIMD);
#   - Debian's Noto CJK fonts, so Chinese and Japanese render as glyphs (not empty boxes) in the
#     browser and in every e2e screenshot (Debian's chromium brings no CJK font);
#   - the npm packages, exactly as the lockfile pins them.
# Never downloads a browser build of its own.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
if [ -z "${CHROME_PATH:-}" ] && [ ! -x /usr/bin/chromium ]; then need+=(chromium); fi
if [ ! -f /usr/lib/chromium/vk_swiftshader_icd.json ] && [ -z "${VK_ICD_FILENAMES:-}" ]; then need+=(chromium); fi
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1'; then need+=(libvulkan1); fi
# clang 14 and wasm-ld 14 build the CPU route's WebAssembly kernels (npm run build:wasm; a test rebuilds them).
if [ ! -x /usr/lib/llvm-14/bin/clang ]; then need+=(clang-14); fi
if [ ! -x /usr/lib/llvm-14/bin/wasm-ld ]; then need+=(lld-14); fi
if ! fc-list :lang=zh 2>/dev/null | grep -qi 'noto.*cjk'; then need+=(fonts-noto-cjk); fi

if [ ${#need[@]} -gt 0 ]; then
  pkgs=$(printf '%s\n' "${need[@]}" | sort -u | tr '\n' ' ')
  echo "setup: installing Debian packages: $pkgs"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $pkgs >/dev/null
fi

echo "setup: browser $("${CHROME_PATH:-/usr/bin/chromium}" --version 2>/dev/null || echo 'not found')"
npm ci --no-audit --no-fund
