import type { AppError } from '@wms/shared/errors'
import { useId, type InputHTMLAttributes, type ReactElement, type ReactNode } from 'react'

/**
 * Field errors of a failed save: main answers an invalid form with `ipc/invalid-payload` and the failing fields'
 * paths; anything else is the form's error as a whole.
 */
export function fieldErrors(error: AppError | undefined): Record<string, string> {
  if (error?.code !== 'ipc/invalid-payload' || !Array.isArray(error.details)) return {}
  const byField: Record<string, string> = {}
  for (const issue of error.details as { path?: string[]; message?: string }[]) {
    const field = issue.path?.[0]
    if (field !== undefined && issue.message !== undefined) byField[field] ??= issue.message
  }
  return byField
}

/** The form-level error: an alert tied to its form with `aria-describedby`. */
export function FormError({ id, error }: { id: string; error: AppError | undefined }): ReactElement | null {
  if (error === undefined || fieldErrorsOnly(error)) return null
  return (
    <div id={id} className="settings-form__error" role="alert">
      <p>{error.message}</p>
      {error.hint === undefined ? null : <p className="settings-form__hint">{error.hint}</p>}
    </div>
  )
}

function fieldErrorsOnly(error: AppError): boolean {
  return Object.keys(fieldErrors(error)).length > 0
}

/** A labelled input; its error (if any) and help text are tied to it with `aria-describedby`. */
export function TextField({
  label,
  name,
  error,
  help,
  ...input
}: {
  label: string
  name: string
  error?: string | undefined
  help?: ReactNode
} & InputHTMLAttributes<HTMLInputElement>): ReactElement {
  const id = useId()
  const errorId = `${id}-error`
  const helpId = `${id}-help`
  const describedBy = [error === undefined ? null : errorId, help === undefined ? null : helpId].filter(Boolean)
  return (
    <div className="settings-field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        aria-invalid={error === undefined ? undefined : true}
        aria-describedby={describedBy.length === 0 ? undefined : describedBy.join(' ')}
        {...input}
      />
      {help === undefined ? null : (
        <p id={helpId} className="settings-field__help">
          {help}
        </p>
      )}
      {error === undefined ? null : (
        <p id={errorId} className="settings-field__error">
          {error}
        </p>
      )}
    </div>
  )
}
