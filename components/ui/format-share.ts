/**
 * A part's share of a whole as a whole percent ("42 %"), never rounded to 0 % while some are
 * there nor to 100 % while some are missing: 1 of 501 clients online is "<1 %", not "0 %".
 */
export function formatShare(part: number, total: number): string {
  if (!total) return '–';
  const share = (part / total) * 100;
  if (part > 0 && share < 1) return '<1 %';
  if (part < total && share > 99) return '>99 %';
  return `${Math.round(share)} %`;
}
