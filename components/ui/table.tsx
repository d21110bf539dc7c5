import clsx from 'clsx';
import type { ComponentPropsWithRef } from 'react';

/**
 * A full-width table; `framed` gives it the border and white ground of a stand-alone list, `dense`
 * the smaller type of the long lists (devices, messages, deployments).
 */
export function Table({
  framed = true,
  dense = true,
  className,
  ...props
}: ComponentPropsWithRef<'table'> & {
  framed?: boolean;
  dense?: boolean;
}) {
  return <table className={clsx('w-full', framed && 'border border-slate-200 bg-white', dense ? 'text-[13px]' : 'text-sm', className)} {...props} />;
}

/** The header band: small grey capitals on a light ground. */
export function THead({ className, ...props }: ComponentPropsWithRef<'thead'>) {
  return <thead className={clsx('bg-slate-50 text-left text-xs uppercase text-slate-500', className)} {...props} />;
}

/** Rows separated by a hairline. */
export function TBody({ className, ...props }: ComponentPropsWithRef<'tbody'>) {
  return <tbody className={clsx('divide-y divide-slate-100', className)} {...props} />;
}

export function Th({ className, ...props }: ComponentPropsWithRef<'th'>) {
  return <th className={clsx('px-2 py-2', className)} {...props} />;
}

export function Td({ className, ...props }: ComponentPropsWithRef<'td'>) {
  return <td className={clsx('px-2 py-1', className)} {...props} />;
}
