import clsx from 'clsx';
import type { ComponentPropsWithRef } from 'react';

/** Border, focus ring and the red border of a refused value, shared by text inputs and selects. */
export const controlClass =
  'rounded border border-slate-300 bg-white focus:border-blue-600 focus:outline-none focus:ring-1 focus:ring-blue-600 aria-[invalid=true]:border-red-600 disabled:bg-slate-50 disabled:text-slate-500';

const sizes = {
  xs: 'px-1 py-0.5',
  sm: 'px-2 py-1 text-sm',
  md: 'px-2 py-1.5 text-sm',
} as const;

export type ControlSize = keyof typeof sizes;

export function controlSizeClass(size: ControlSize) {
  return sizes[size];
}

/** A native text input with the console's look; every native prop (ref, aria-*, data-*) passes through. */
export function Input({
  controlSize = 'sm',
  className,
  ...props
}: ComponentPropsWithRef<'input'> & {
  /** How much room the control takes; `size` stays the native width in characters. */
  controlSize?: ControlSize;
}) {
  return <input className={clsx(controlClass, sizes[controlSize], className)} {...props} />;
}

/** A native textarea with the look of the text inputs. */
export function Textarea({
  controlSize = 'sm',
  className,
  ...props
}: ComponentPropsWithRef<'textarea'> & {
  controlSize?: ControlSize;
}) {
  return <textarea className={clsx(controlClass, sizes[controlSize], className)} {...props} />;
}
