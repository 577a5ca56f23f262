/** Something that holds a resource (server, watcher, child process, timer) and can release it. */
export interface Disposable {
  dispose(): void | Promise<void>
}

/** Owns disposables and releases them in reverse order of registration. */
export class DisposableStore implements Disposable {
  private readonly items: Disposable[] = []
  private disposed = false

  /** Takes ownership of `item` and returns it. */
  add<T extends Disposable>(item: T): T {
    if (this.disposed) throw new Error('DisposableStore is already disposed')
    this.items.push(item)
    return item
  }

  /** Registers a cleanup function. */
  addCleanup(cleanup: () => void | Promise<void>): void {
    this.add({ dispose: cleanup })
  }

  async dispose(): Promise<void> {
    if (this.disposed) return
    this.disposed = true
    for (const item of this.items.reverse()) await item.dispose()
    this.items.length = 0
  }
}
