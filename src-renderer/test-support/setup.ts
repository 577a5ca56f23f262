// jsdom has no layout engine: give components the browser APIs they use, with jsdom's zero sizes.
class ResizeObserverStub {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}
if (!('ResizeObserver' in globalThis)) globalThis.ResizeObserver = ResizeObserverStub
globalThis.CSS = { escape: (value: string) => value.replace(/["\\]/g, '\\$&') } as unknown as typeof CSS

// Virtualised lists render what fits their viewport (measured with clientWidth/clientHeight): give scroll
// containers a laptop-sized one.
for (const [property, size] of [
  ['clientWidth', 1024],
  ['clientHeight', 768],
] as const) {
  const original = Object.getOwnPropertyDescriptor(Element.prototype, property)
  Object.defineProperty(HTMLElement.prototype, property, {
    configurable: true,
    get(this: HTMLElement): number {
      if (this.classList.contains('pair-grid')) return size
      return (original?.get?.call(this) as number | undefined) ?? 0
    },
  })
}
