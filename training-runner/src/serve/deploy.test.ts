import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse, parseAllDocuments } from 'yaml'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { selectBackend } from '../train/backend/select-backend.js'
import { renderTemplate, type ChartContext } from './fixtures/mini-helm.js'
import { writeTinyModel } from './fixtures/tiny-model.js'
import { ServeMetrics } from './metrics.js'
import { folderSource } from './model-source.js'
import { startModelServer, type ModelServer } from './server.js'

/**
 * The deployment files against the server they deploy. `helm` is not installable here, so the chart is rendered by
 * `mini-helm` (the template subset the chart uses; anything else throws) with its own values.yaml, every manifest
 * is parsed, and what must agree is checked against a running server: probe paths, ports, the metrics path, the
 * ConfigMap/Secret the pod reads and the registry variables the runner reads, the dashboard's metric names, and
 * the Dockerfile's port, user and command. Not checked: Kubernetes API schemas (no cluster, no kubeconform).
 */

const deployDir = path.resolve(import.meta.dirname, '../../../resources/deploy')
const chartDir = path.join(deployDir, 'helm/wms-serve')
const temp = useTempDirs()
let server: ModelServer

interface Manifest {
  kind: string
  apiVersion: string
  metadata: { name: string; labels?: Record<string, string> }
  spec?: Record<string, unknown>
  data?: Record<string, string>
  stringData?: Record<string, string>
}

interface Container {
  args: string[]
  ports: { name: string; containerPort: number }[]
  envFrom: { configMapRef?: { name: string }; secretRef?: { name: string } }[]
  livenessProbe: { httpGet: { path: string; port: string } }
  readinessProbe: { httpGet: { path: string; port: string } }
  resources: { requests: Record<string, string>; limits: Record<string, string> }
  securityContext: { readOnlyRootFilesystem: boolean }
}

async function renderChart(overrides: (values: Record<string, unknown>) => void = () => undefined) {
  const values = parse(await readFile(path.join(chartDir, 'values.yaml'), 'utf8')) as Record<string, unknown>
  overrides(values)
  const chart = parse(await readFile(path.join(chartDir, 'Chart.yaml'), 'utf8')) as Record<string, string>
  const context: ChartContext = {
    Values: values,
    Release: { Name: 'wms', Namespace: 'default' },
    Chart: { Name: chart.name ?? '', Version: chart.version ?? '', AppVersion: chart.appVersion ?? '' },
  }
  const manifests: Manifest[] = []
  for (const file of (await readdir(path.join(chartDir, 'templates'))).filter((name) => name.endsWith('.yaml'))) {
    const rendered = renderTemplate(await readFile(path.join(chartDir, 'templates', file), 'utf8'), context)
    for (const document of parseAllDocuments(rendered)) {
      expect(document.errors, `${file}: ${rendered}`).toEqual([])
      const manifest = document.toJS() as Manifest | null
      if (manifest === null) continue
      expect(manifest.apiVersion, file).toBeTruthy()
      expect(manifest.metadata.name, file).toBeTruthy()
      manifests.push(manifest)
    }
  }
  const byKind = (kind: string) => manifests.filter((manifest) => manifest.kind === kind)
  return { values, manifests, byKind }
}

function containerOf(deployment: Manifest): Container {
  const template = deployment.spec?.template as { spec: { containers: Container[] } }
  return template.spec.containers[0] as Container
}

beforeAll(async () => {
  await selectBackend('cpu')
  const model = await writeTinyModel(path.join(await temp('wms-deploy-'), 'model'))
  server = await startModelServer({ source: folderSource(model), port: 0 })
  await server.firstLoad
})
afterAll(async () => {
  await server.close()
})

describe('deploy: Helm chart', () => {
  it('renders a Deployment whose probes, port and args match the server', async () => {
    const { values, byKind } = await renderChart()
    expect(byKind('Deployment')).toHaveLength(1)
    const container = containerOf(byKind('Deployment')[0] as Manifest)
    const http = container.ports.find((port) => port.name === 'http')
    expect(http?.containerPort).toBe(values.port)
    expect(container.args.slice(0, 3)).toEqual(['serve', '--host', '0.0.0.0'])
    expect(container.args[container.args.indexOf('--port') + 1]).toBe(String(values.port))
    for (const probe of [container.livenessProbe, container.readinessProbe]) {
      expect(probe.httpGet.port).toBe('http')
      expect((await fetch(`${server.url}${probe.httpGet.path}`)).status).toBe(200)
    }
    expect([container.livenessProbe.httpGet.path, container.readinessProbe.httpGet.path]).toEqual(['/health', '/ready'])
    expect(Object.keys(container.resources.requests)).toEqual(['cpu', 'memory'])
    expect(Object.keys(container.resources.limits)).toEqual(['cpu', 'memory'])
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true)
    const podSecurity = (
      byKind('Deployment')[0]?.spec?.template as { spec: { securityContext: { runAsNonRoot: boolean } } }
    ).spec.securityContext
    expect(podSecurity.runAsNonRoot).toBe(true)

    const service = byKind('Service')[0] as Manifest
    const ports = service.spec?.ports as { targetPort: string }[]
    expect(ports[0]?.targetPort).toBe('http')
    expect(service.spec?.selector).toEqual(
      (byKind('Deployment')[0]?.spec?.selector as { matchLabels: Record<string, string> }).matchLabels,
    )
  })

  it('feeds the registry address from a ConfigMap and credentials from a Secret, under the names the runner reads', async () => {
    const { byKind } = await renderChart()
    const container = containerOf(byKind('Deployment')[0] as Manifest)
    const configMap = byKind('ConfigMap')[0] as Manifest
    const secret = byKind('Secret')[0] as Manifest
    expect(container.envFrom).toEqual([
      { configMapRef: { name: configMap.metadata.name } },
      { secretRef: { name: secret.metadata.name } },
    ])
    expect(Object.keys(configMap.data ?? {})).toEqual(['MLFLOW_TRACKING_URI'])
    // Every key must be a variable the runner's tracking code actually reads.
    const trackingCode = (
      await Promise.all(
        ['tracking-env.ts', 'open-tracking-store.ts', 'rest/mlflow-http.ts', 'artifacts/s3-artifacts.ts'].map((file) =>
          readFile(path.resolve(import.meta.dirname, '../tracking', file), 'utf8').catch(() => ''),
        ),
      )
    ).join('\n')
    for (const key of [...Object.keys(configMap.data ?? {}), ...Object.keys(secret.stringData ?? {})]) {
      expect(trackingCode, key).toContain(key)
    }

    const external = await renderChart((values) => {
      ;(values.registry as Record<string, unknown>).existingSecret = 'mlflow-credentials'
      ;(values.registry as Record<string, unknown>).s3EndpointUrl = 'http://minio:9000'
    })
    expect(external.byKind('Secret')).toEqual([])
    expect(containerOf(external.byKind('Deployment')[0] as Manifest).envFrom[1]).toEqual({
      secretRef: { name: 'mlflow-credentials' },
    })
    expect(external.byKind('ConfigMap')[0]?.data?.MLFLOW_S3_ENDPOINT_URL).toBe('http://minio:9000')
  })

  it('adds a ServiceMonitor on the metrics path only when enabled', async () => {
    expect((await renderChart()).byKind('ServiceMonitor')).toEqual([])
    const { byKind } = await renderChart((values) => {
      ;(values.serviceMonitor as Record<string, unknown>).enabled = true
    })
    const monitor = byKind('ServiceMonitor')[0] as Manifest
    expect(monitor.metadata.labels?.prometheus).toBe('kube-prometheus')
    const endpoint = (monitor.spec?.endpoints as { port: string; path: string }[])[0]
    expect(endpoint?.port).toBe('http')
    const scraped = await fetch(`${server.url}${endpoint?.path ?? ''}`)
    expect(scraped.status).toBe(200)
    expect(await scraped.text()).toContain('wms_model_loaded')
  })
})

describe('deploy: Grafana dashboard and Dockerfile', () => {
  it('has the old dashboard’s panels, querying only metrics the server exports', async () => {
    const dashboard = JSON.parse(await readFile(path.join(deployDir, 'grafana/wms-serve-dashboard.json'), 'utf8')) as {
      uid: string
      panels: { title: string; targets: { expr: string }[] }[]
    }
    expect(dashboard.uid).toBe('wms-model-dashboard')
    expect(dashboard.panels.map((panel) => panel.title)).toEqual(
      expect.arrayContaining([
        'Requests per Second',
        'Latency (p50)',
        'Latency (p95)',
        'Error Rate',
        'Request Rate Over Time',
        'Latency Percentiles',
        'Pod Memory Usage',
        'Pod CPU Usage',
      ]),
    )
    const exported = new Set(
      (await new ServeMetrics().registry.getMetricsAsJSON()).flatMap((metric) => [
        metric.name,
        `${metric.name}_bucket`,
        `${metric.name}_count`,
        `${metric.name}_sum`,
      ]),
    )
    const used = dashboard.panels.flatMap((panel) =>
      panel.targets.flatMap((target) => [...target.expr.matchAll(/\b(wms_\w+)/g)].map((match) => match[1] as string)),
    )
    expect(used.length).toBeGreaterThan(8)
    expect(used.filter((name) => !exported.has(name))).toEqual([])
  })

  it('builds in stages and runs `serve` as a non-root user on the chart’s port', async () => {
    const dockerfile = await readFile(path.join(deployDir, 'Dockerfile'), 'utf8')
    const { values } = await renderChart()
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(3)
    expect(/^EXPOSE (\d+)$/m.exec(dockerfile)?.[1]).toBe(String(values.port))
    const user = /^USER (\S+)$/m.exec(dockerfile)?.[1] ?? 'root'
    expect(user).not.toMatch(/^(root|0)(:|$)/)
    const command = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]') as string[]
    expect(command.slice(0, 3)).toEqual(['serve', '--host', '0.0.0.0'])
    expect(command[command.indexOf('--port') + 1]).toBe(String(values.port))
    expect(dockerfile).toMatch(/^HEALTHCHECK [^\n]*\\\n\s+CMD .*\/health/m)
  })
})
