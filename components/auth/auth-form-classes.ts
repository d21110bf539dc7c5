// The look the sign-in and change-password forms share.
export const authLabelClass = 'block text-sm font-medium text-slate-700';
export const authInputClass =
  'mt-1 block w-full rounded border border-slate-300 px-3 py-2 text-sm focus:border-blue-600 focus:outline-none focus:ring-1 focus:ring-blue-600 aria-[invalid=true]:border-red-600';
export const authAlertClass = 'rounded border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800';
