import { createHash } from 'node:crypto'
import { cp, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createDemoWorkspace } from 'training-runner'
import { PROJECT_ROOT } from '../../e2e/web-host-process.js'
import { risingVersions, seedRegistry } from '../../src-main/test-support/seed-registry.js'

/**
 * A user data folder whose demo workspace has `versions` registered versions, promoted one by one through the
 * runner's gate and promote (seedRegistry). Seeding 200 versions takes minutes on two shared cores (8 minutes at
 * load 8), so the seeded folder is kept in the temp folder and copied for each measurement. The copy lives at the
 * same path every time (the registry's meta files hold absolute artifact paths), and the seed is made again when
 * the seeding code or the runner's registry workflows change, or with `fresh`.
 */
export async function seededUserData(
  versions: number,
  fresh: boolean,
): Promise<{ userData: string; seedSeconds: number; cached: boolean }> {
  const key = await seedKey(versions)
  const pristine = path.join(os.tmpdir(), `wms-bench-models-seed-${String(versions)}-${key}`)
  const userData = path.join(os.tmpdir(), `wms-bench-models-${String(versions)}`)
  const cached = !fresh && (await exists(path.join(pristine, '.seeded')))
  let seedSeconds = 0
  if (!cached) {
    await rm(pristine, { recursive: true, force: true })
    await rm(userData, { recursive: true, force: true })
    await mkdir(userData, { recursive: true })
    const layout = await createDemoWorkspace(path.join(userData, 'demo'), { incoming: 0 })
    const started = performance.now()
    await seedRegistry(layout.workspace, risingVersions(versions))
    seedSeconds = (performance.now() - started) / 1000
    await cp(userData, pristine, { recursive: true })
    await mkdir(path.join(pristine, '.seeded'))
  }
  await rm(userData, { recursive: true, force: true })
  await cp(pristine, userData, { recursive: true, filter: (source) => !source.endsWith('.seeded') })
  return { userData, seedSeconds, cached }
}

async function seedKey(versions: number): Promise<string> {
  const hash = createHash('sha256').update(String(versions))
  const folders = ['training-runner/src/registry']
  const files = ['src-main/test-support/seed-registry.ts']
  for (const folder of folders)
    for (const name of (await readdir(path.join(PROJECT_ROOT, folder))).sort()) files.push(path.join(folder, name))
  for (const file of files) hash.update(await readFile(path.join(PROJECT_ROOT, file)))
  return hash.digest('hex').slice(0, 12)
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  )
}
