import { useEffect, useMemo, useState, type ReactElement } from 'react'
import type { ModelVersionSummary } from '@wms/shared/models/model-registry'
import { ErrorPanel } from '../../components/ErrorPanel.js'
import { useAppStore } from '../../store/app-store.js'
import { pairMediaPath } from '../add-data/PairThumbnail.js'
import { formatScore } from './format.js'

type Layer = 'predicted' | 'annotator' | 'difference'

const LAYERS: { id: Layer; label: string }[] = [
  { id: 'predicted', label: "Model's mask" },
  { id: 'annotator', label: "Annotator's mask" },
  { id: 'difference', label: 'Where they differ' },
]

/**
 * Try it: a version run on a staged photo (in the app's inference worker, the code of `training-runner predict`),
 * its mask over the photo, and how well it agrees with the annotator's mask. A large disagreement is flagged on the
 * pair in Add data too.
 */
export function TryItPanel({
  versions,
  version,
  onVersion,
}: {
  versions: readonly ModelVersionSummary[]
  version: string
  onVersion: (version: string) => void
}): ReactElement {
  const stagingLoaded = useAppStore((state) => state.staging.loaded)
  const loadStaging = useAppStore((state) => state.loadStaging)
  const stagedPairs = useAppStore((state) => state.staging.pairs)
  const tryIt = useAppStore((state) => state.tryIt)
  const tryModel = useAppStore((state) => state.tryModel)
  const showArea = useAppStore((state) => state.showArea)
  const [pairId, setPairId] = useState('')
  useEffect(() => {
    if (!stagingLoaded) void loadStaging()
  }, [stagingLoaded, loadStaging])
  const pairs = useMemo(
    () => [...stagedPairs.values()].filter((pair) => pair.image !== null && pair.mask !== null),
    [stagedPairs],
  )
  const chosen = pairs.find((pair) => pair.id === pairId) ?? pairs[0]
  const running = tryIt.status === 'running'
  return (
    <section className="models-panel models-try" aria-labelledby="models-try-title">
      <h3 id="models-try-title">Try it on a photo</h3>
      {pairs.length === 0 ? (
        <p className="muted">
          Try a version on a staged pair: add pairs in{' '}
          <button type="button" className="button button--small" onClick={() => showArea('add-data')}>
            Add data
          </button>{' '}
          and they appear here with their masks to compare with.
        </p>
      ) : (
        <form
          className="models-try__form"
          onSubmit={(event) => {
            event.preventDefault()
            if (chosen !== undefined) void tryModel(version, chosen.id)
          }}
        >
          <label>
            Version
            <select value={version} onChange={(event) => onVersion(event.target.value)}>
              {versions.map((v) => (
                <option key={v.version} value={v.version}>
                  v{v.version} (Dice {formatScore(v.dice)})
                </option>
              ))}
            </select>
          </label>
          <label>
            Staged photo
            <select value={chosen?.id ?? ''} onChange={(event) => setPairId(event.target.value)}>
              {pairs.map((pair) => (
                <option key={pair.id} value={pair.id}>
                  {pair.id}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className="button button--primary" disabled={running || chosen === undefined}>
            {running ? 'Predicting…' : 'Predict the mask'}
          </button>
        </form>
      )}
      <div aria-live="polite">
        {running ? (
          <p className="muted">
            Running v{tryIt.version} on {tryIt.pairId}…
          </p>
        ) : null}
        {tryIt.status === 'error' ? <ErrorPanel error={tryIt.error} /> : null}
        {tryIt.status === 'done' ? <TryItResultView /> : null}
      </div>
    </section>
  )
}

function TryItResultView(): ReactElement | null {
  const tryIt = useAppStore((state) => state.tryIt)
  const pair = useAppStore((state) =>
    state.tryIt.status === 'done' ? state.staging.pairs.get(state.tryIt.result.pairId) : undefined,
  )
  const mediaUrl = useAppStore((state) => state.api.mediaUrl)
  const [layer, setLayer] = useState<Layer>('predicted')
  if (tryIt.status !== 'done') return null
  const result = tryIt.result
  const overlay =
    layer === 'predicted'
      ? result.predictedOverlay
      : layer === 'difference'
        ? result.differenceOverlay
        : pair === undefined
          ? null
          : mediaUrl(pairMediaPath(pair, 'mask'))
  return (
    <div className="models-try__result" data-testid="try-result">
      <p>
        <strong>v{result.version}</strong> on <code>{result.pairId}</code>: agreement with the annotator&apos;s mask{' '}
        <strong data-testid="try-dice">Dice {formatScore(result.dice)}</strong>, IoU {formatScore(result.iou)}; the
        model marks {(result.foreground * 100).toFixed(1)} % of the photo ({result.seconds.toFixed(2)} s).
      </p>
      {result.disagrees ? (
        <p className="models-try__flag" role="status">
          The model and the annotator disagree a lot: this mask may be wrong. The pair is flagged in Add data.
        </p>
      ) : null}
      <fieldset className="models-try__layers">
        <legend>Show over the photo</legend>
        {LAYERS.map((option) => (
          <label key={option.id}>
            <input
              type="radio"
              name="try-layer"
              value={option.id}
              checked={layer === option.id}
              onChange={() => setLayer(option.id)}
            />
            {option.label}
          </label>
        ))}
      </fieldset>
      <div
        className="models-try__picture"
        style={{ aspectRatio: `${String(result.width)} / ${String(result.height)}` }}
      >
        {pair === undefined ? null : (
          <img src={mediaUrl(pairMediaPath(pair, 'image'))} alt={`Staged photo ${result.pairId}`} />
        )}
        {overlay === null ? null : (
          <img
            className={`models-try__overlay models-try__overlay--${layer}`}
            src={overlay}
            alt={`${LAYERS.find((option) => option.id === layer)?.label ?? ''} over the photo`}
            data-testid="try-overlay"
          />
        )}
      </div>
      {layer === 'difference' ? (
        <p className="models-try__legend">
          <span className="models-swatch models-swatch--model" /> only the model ·{' '}
          <span className="models-swatch models-swatch--annotator" /> only the annotator ·{' '}
          <span className="models-swatch models-swatch--both" /> both
        </p>
      ) : null}
    </div>
  )
}
