import { describe, expect, it } from 'vitest'
import { formatPerImageCsv, renderCurvesSvg } from './run-artifacts.js'

describe('run artifacts', () => {
  it('writes the per-image CSV sorted by id, quoting ids that need it', () => {
    expect(
      formatPerImageCsv([
        { id: 'b', dice: 0.5, iou: 1 / 3 },
        { id: 'a "x", y', dice: 1, iou: 1 },
      ]),
    ).toBe('id,dice,iou\n"a ""x"", y",1,1\nb,0.5,0.3333333333333333\n')
  })

  it('draws the same SVG for the same curves, skipping non-finite points and escaping names', () => {
    const series = [
      {
        name: 'train<loss>',
        points: [
          { step: 1, value: 0.9 },
          { step: 2, value: NaN },
          { step: 3, value: 0.4 },
        ],
      },
      { name: 'val_loss', points: [] },
    ]
    const svg = renderCurvesSvg('Loss', series, 'loss')
    expect(svg).toBe(renderCurvesSvg('Loss', series, 'loss'))
    expect(svg).toContain('train&lt;loss&gt;')
    expect(svg).not.toContain('NaN')
    expect(svg.match(/<path /g)).toHaveLength(1)
    expect(renderCurvesSvg('Empty', [])).toContain('</svg>')
  })
})
