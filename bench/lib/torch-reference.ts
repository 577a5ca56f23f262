import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** What `bench/torch_unet.py` prints. */
export interface TorchResult {
  torch: string
  threads: number
  parameters: number
  peakRssMiB: number
  results: { size: number; batch: number; msPerStep: number; cpuMsPerStep: number; samples: number[] }[]
}

const PYTHON = '/usr/bin/python3'

async function hasTorch(): Promise<boolean> {
  try {
    await run(PYTHON, ['-c', 'import torch'], { timeout: 60_000 })
    return true
  } catch {
    return false
  }
}

/**
 * Makes Debian's `python3-torch` available (installing it with apt-get when absent and allowed), or explains why
 * the PyTorch reference is skipped.
 */
export async function ensureTorch(log: (line: string) => void): Promise<boolean> {
  if (await hasTorch()) return true
  if (process.getuid?.() !== 0) {
    log('PyTorch reference skipped: python3-torch is not installed (apt-get install -y python3-torch, as root).')
    return false
  }
  log('Installing python3-torch (Debian) for the PyTorch reference…')
  try {
    await run('apt-get', ['install', '-y', 'python3-torch'], { timeout: 600_000, maxBuffer: 64 * 1024 * 1024 })
  } catch (thrown) {
    log(
      `PyTorch reference skipped: apt-get install python3-torch failed (${(thrown as Error).message.split('\n')[0] ?? ''}).`,
    )
    return false
  }
  return hasTorch()
}

/** Times the same U-Net training step in PyTorch (CPU, `threads` threads). */
export async function runTorch(
  repoRoot: string,
  options: { sizes: number[]; batch: number; steps: number; threads: number },
): Promise<TorchResult> {
  const { stdout } = await run(
    PYTHON,
    [
      path.join(repoRoot, 'bench', 'torch_unet.py'),
      '--sizes',
      options.sizes.join(','),
      '--batch',
      String(options.batch),
      '--steps',
      String(options.steps),
      '--threads',
      String(options.threads),
    ],
    { timeout: 1_200_000, maxBuffer: 16 * 1024 * 1024 },
  )
  const line = stdout.trim().split('\n').at(-1) ?? '{}'
  return JSON.parse(line) as TorchResult
}
