import { useState, type DragEvent, type ReactElement, type ReactNode } from 'react'
import { formatMegabytes, MAX_UPLOAD_FILE_BYTES } from '@wms/shared/ipc/upload-limit'
import { filesFromDrop, type PickedFile } from '../../ipc/read-files.js'

/** Accepts files and folders dragged anywhere onto the area, with a clear target while dragging. */
export function DropZone({
  onFiles,
  children,
}: {
  onFiles: (files: PickedFile[]) => void
  children: ReactNode
}): ReactElement {
  const [over, setOver] = useState(false)
  const hasFiles = (event: DragEvent): boolean => event.dataTransfer.types.includes('Files')
  return (
    <div
      className={`drop-zone${over ? ' drop-zone--over' : ''}`}
      data-testid="drop-zone"
      onDragOver={(event) => {
        if (!hasFiles(event)) return
        event.preventDefault()
        event.dataTransfer.dropEffect = 'copy'
        setOver(true)
      }}
      onDragLeave={(event) => {
        if (event.currentTarget === event.target) setOver(false)
      }}
      onDrop={(event) => {
        event.preventDefault()
        setOver(false)
        void filesFromDrop(event.dataTransfer).then(onFiles)
      }}
    >
      {children}
      {over ? (
        <div className="drop-zone__hint" aria-hidden="true">
          Drop images and masks (or a folder with images/ and masks/), up to {formatMegabytes(MAX_UPLOAD_FILE_BYTES)}{' '}
          per file
        </div>
      ) : null}
    </div>
  )
}
