import clsx from 'clsx';
import type { ComponentPropsWithRef } from 'react';
import { controlClass, controlSizeClass, type ControlSize } from './input';

/** A native select with the console's look; every native prop (ref, aria-*, data-*) passes through. */
export function Select({
  controlSize = 'sm',
  className,
  ...props
}: ComponentPropsWithRef<'select'> & {
  /** How much room the control takes; `size` stays the native width in characters. */
  controlSize?: ControlSize;
}) {
  return <select className={clsx(controlClass, controlSizeClass(controlSize), className)} {...props} />;
}
