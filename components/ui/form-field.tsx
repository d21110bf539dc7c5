'use client';

import { useId } from 'react';
import type { ApiError } from '@/lib/client/api';

/** What a field's control needs to be named by its label and described by its hint and error. */
export interface FieldControlProps {
  id: string;
  'aria-invalid'?: true;
  'aria-describedby'?: string;
}

export const fieldLabelClass = 'block text-xs font-medium text-slate-600';
export const fieldErrorClass = 'mt-0.5 block text-xs font-normal text-red-700';

/**
 * A labelled control with its hint and error beside the label, never inside it: the label names
 * the field only (so assistive technology and `getByLabel` find it by that name while an error
 * shows), the error has its own id, is linked by aria-describedby and is announced as it appears.
 * `children` renders the control with the props it is given.
 */
export function FormField({
  label,
  error,
  errorName,
  hint,
  className,
  labelClassName = fieldLabelClass,
  path,
  children,
}: {
  label: React.ReactNode;
  /** Why the value is refused ("is required"); shown after `errorName`. */
  error?: string;
  /** How the error names the field; the label when it is text. */
  errorName?: string;
  hint?: React.ReactNode;
  className?: string;
  labelClassName?: string;
  /** The API path of the field, for tests and for finding the first error. */
  path?: string;
  children: (control: FieldControlProps) => React.ReactNode;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const showHint = Boolean(hint) && !error;
  const describedBy = [showHint ? hintId : '', error ? errorId : ''].filter(Boolean).join(' ') || undefined;
  const name = errorName ?? (typeof label === 'string' ? label : '');
  return (
    <div className={className}>
      <label htmlFor={id} className={labelClassName}>
        {label}
      </label>
      {children({ id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })}
      {showHint && (
        <span id={hintId} className="block text-[11px] font-normal text-slate-500">
          {hint}
        </span>
      )}
      {error && (
        <span id={errorId} role="alert" className={fieldErrorClass} data-field-error={path}>
          {name ? `${name} ${error}` : error}
        </span>
      )}
    </div>
  );
}

/**
 * The form-level error: the server's message when it named no field, or the refused fields the
 * form has no place for (so no error is ever silently dropped).
 */
export function FormAlert({
  error,
  shownAt,
  className = 'text-sm text-red-700',
}: {
  error: ApiError | null;
  /** Whether the form shows the error of this API path beside a field. */
  shownAt: (path: string) => boolean;
  className?: string;
}) {
  if (!error) return null;
  const unplaced = error.fields.filter((f) => !shownAt(f.path));
  if (error.fields.length && !unplaced.length) return null;
  return (
    <p role="alert" className={className}>
      {unplaced.length ? unplaced.map((f) => `${f.path || 'request'}: ${f.message}`).join('; ') : error.message}
    </p>
  );
}
