// The rules page's order: by product name, or by this month's runs with ties by name.
import { describe, expect, it } from 'vitest';
import { sortRules } from '@/components/metering/sort-rules';

const rule = (productName: string, runCount: number | null, fileName = productName.toLowerCase()) => ({
  productName,
  fileName,
  thisMonth: runCount === null ? null : { runCount, distinctComputers: 1, distinctUsers: 1, runSeconds: 60, mostAtOnce: 1 },
});

describe('sortRules', () => {
  const rules = [rule('Vim', 4), rule('GIMP', null), rule('Code', 4), rule('Blender', 1), rule('Code', 0, 'code-insiders')];
  const names = (list: typeof rules) => list.map((r) => `${r.productName}/${r.fileName}`);

  it('sorts by product, then file name, either way', () => {
    expect(names(sortRules(rules, { by: 'product', dir: 'asc' }))).toEqual([
      'Blender/blender',
      'Code/code',
      'Code/code-insiders',
      'GIMP/gimp',
      'Vim/vim',
    ]);
    expect(names(sortRules(rules, { by: 'product', dir: 'desc' }))).toEqual([
      'Vim/vim',
      'GIMP/gimp',
      'Code/code-insiders',
      'Code/code',
      'Blender/blender',
    ]);
  });

  it('sorts by runs this month, a rule nothing ran counting 0, ties by product', () => {
    expect(names(sortRules(rules, { by: 'use', dir: 'asc' }))).toEqual([
      'Code/code-insiders',
      'GIMP/gimp',
      'Blender/blender',
      'Code/code',
      'Vim/vim',
    ]);
    expect(names(sortRules(rules, { by: 'use', dir: 'desc' }))).toEqual([
      'Code/code',
      'Vim/vim',
      'Blender/blender',
      'Code/code-insiders',
      'GIMP/gimp',
    ]);
    expect(names(rules)).toEqual(['Vim/vim', 'GIMP/gimp', 'Code/code', 'Blender/blender', 'Code/code-insiders']);
  });
});
