import { mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { WmsError } from '@wms/shared/errors'
import { openRepo } from '../adapters/git/run-git.js'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { initWorkspace } from './init-workspace.js'
import { readWorkspaceConfig } from './workspace-config-file.js'

const tempDir = useTempDirs()

async function gitRepo(): Promise<string> {
  const root = path.join(await tempDir(), 'project')
  await mkdir(root, { recursive: true })
  await openRepo(root).raw(['init', '--quiet', '--initial-branch=main'])
  return root
}

describe('training-runner init', () => {
  it('makes a repository a workspace, and a rerun changes nothing', async () => {
    const root = await gitRepo()
    await writeFile(path.join(root, '.gitignore'), 'node_modules/')

    const first = await initWorkspace(root)

    expect(first).toMatchObject({ config: 'created', gitignore: 'updated', hook: 'created' })
    expect((await readWorkspaceConfig(root)).name).toBe('project')
    const ignore = await readFile(path.join(root, '.gitignore'), 'utf8')
    expect(ignore.startsWith('node_modules/\n')).toBe(true)
    expect(ignore).toContain('/data/training/images/\n/data/training/masks/\n/.wms/\n')
    expect(first.todo.join('\n')).toContain('local runner')
    const files = ['wms.config.json', '.gitignore', '.git/hooks/pre-push']
    const before = await Promise.all(
      files.map(async (file) => [
        await readFile(path.join(root, file), 'utf8'),
        (await stat(path.join(root, file))).mtimeMs,
      ]),
    )

    const second = await initWorkspace(root)

    expect(second).toMatchObject({ config: 'unchanged', gitignore: 'unchanged', hook: 'unchanged' })
    const after = await Promise.all(
      files.map(async (file) => [
        await readFile(path.join(root, file), 'utf8'),
        (await stat(path.join(root, file))).mtimeMs,
      ]),
    )
    expect(after).toEqual(before)
  })

  it('reports an invalid config field by field and leaves it alone', async () => {
    const root = await gitRepo()
    const broken = '{"version": 1, "name": "", "dataset": {"remote": {"type": "ftp"}}, "tracking": {}}\n'
    await writeFile(path.join(root, 'wms.config.json'), broken)
    const error = await initWorkspace(root, { hook: false }).catch((thrown: unknown) => thrown)
    expect(error).toBeInstanceOf(WmsError)
    expect((error as WmsError).message).toMatch(/name|remote/)
    expect(await readFile(path.join(root, 'wms.config.json'), 'utf8')).toBe(broken)
  })

  it('refuses a folder that is not a repository, or not its root', async () => {
    const plain = await tempDir()
    await expect(initWorkspace(plain)).rejects.toMatchObject({ code: 'git/not-a-repo' })
    const root = await gitRepo()
    await mkdir(path.join(root, 'sub'))
    await expect(initWorkspace(path.join(root, 'sub'))).rejects.toMatchObject({ code: 'usage/invalid-arguments' })
  })

  it('lists the secrets a GitHub Actions workspace needs and installs the workflow templates it is given', async () => {
    const root = await gitRepo()
    const templates = path.join(await tempDir(), 'templates')
    await mkdir(templates)
    await writeFile(path.join(templates, 'data-pipeline.yml'), 'on: push\n')
    const result = await initWorkspace(root, { runner: 'github-actions', templatesDir: templates, hook: false })
    expect(result.workflows).toEqual([{ file: '.github/workflows/data-pipeline.yml', state: 'created' }])
    expect(result.todo.join('\n')).toMatch(/github\.repo[\s\S]*MLflow server/)
    const again = await initWorkspace(root, { runner: 'github-actions', templatesDir: templates, hook: false })
    expect(again.workflows).toEqual([{ file: '.github/workflows/data-pipeline.yml', state: 'unchanged' }])
  })

  it('installs the shipped data pipeline workflow as it is, and lists the variables and secrets it reads', async () => {
    const root = await gitRepo()
    const result = await initWorkspace(root, { runner: 'github-actions', hook: false })
    expect(result.workflows).toEqual([{ file: '.github/workflows/data-pipeline.yml', state: 'created' }])
    const shipped = await readFile(
      path.resolve(import.meta.dirname, '../../../resources/workflows/data-pipeline.yml'),
      'utf8',
    )
    expect(await readFile(path.join(root, '.github/workflows/data-pipeline.yml'), 'utf8')).toBe(shipped)
    expect(result.workflowSettings.variables).toEqual(
      expect.arrayContaining(['AWS_ROLE_ARN', 'GPU_AMI_ID', 'WMS_STUDIO_REPO']),
    )
    expect(result.workflowSettings.secrets).toEqual(expect.arrayContaining(['GH_RUNNER_TOKEN']))
    expect(result.todo.join('\n')).toContain('GH_RUNNER_TOKEN')
  })
})
