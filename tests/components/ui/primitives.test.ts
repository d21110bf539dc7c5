import { createElement, type FunctionComponent, type ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { Button, buttonClass } from '@/components/ui/button';
import { Input, Textarea } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { Table, TBody, Td, Th, THead } from '@/components/ui/table';

const html = <P extends object>(type: FunctionComponent<P>, props: P | null, ...children: ReactNode[]) =>
  renderToStaticMarkup(createElement(type, props, ...children));
const classesOf = (markup: string) => new Set(/class="([^"]*)"/.exec(markup)?.[1].split(' '));

describe('Button', () => {
  it('is a plain button unless told to submit, so it never submits its form by accident', () => {
    expect(html(Button, null, 'Cancel')).toMatch(/^<button type="button"/);
    expect(html(Button, { type: 'submit' }, 'Save')).toMatch(/^<button type="submit"/);
  });

  it('passes names, state and test hooks through unchanged', () => {
    const markup = html(Button, { 'aria-expanded': true, 'aria-controls': 'panel', 'data-testid': 'toggle', disabled: true }, 'Edit filters');
    expect(markup).toContain('aria-expanded="true"');
    expect(markup).toContain('aria-controls="panel"');
    expect(markup).toContain('data-testid="toggle"');
    expect(markup).toContain('disabled=""');
    expect(markup).toContain('>Edit filters</button>');
  });

  it("draws each variant and size with its own classes and adds the caller's", () => {
    const primary = classesOf(html(Button, { variant: 'primary', size: 'lg', className: 'w-full' }, 'Sign in'));
    for (const c of ['bg-blue-700', 'text-white', 'px-3', 'py-2', 'text-sm', 'w-full']) expect(primary).toContain(c);
    expect(primary).not.toContain('border-slate-300');
    const secondary = classesOf(html(Button, { size: 'xs' }, 'Edit'));
    for (const c of ['border-slate-300', 'bg-white', 'px-2', 'py-1', 'text-xs']) expect(secondary).toContain(c);
    expect(secondary).not.toContain('bg-blue-700');
  });

  it('gives a link the look of a button', () => {
    expect(buttonClass({ size: 'xs', className: 'inline-flex' }).split(' ')).toEqual(
      expect.arrayContaining(['text-xs', 'inline-flex', 'border-slate-300']),
    );
  });
});

describe('Input, Textarea and Select', () => {
  it('mark a refused value red and keep the label link and native attributes', () => {
    const input = html(Input, { id: 'f1', 'aria-invalid': true, 'aria-describedby': 'f1-error', name: 'userName', size: 20 });
    expect(input).toMatch(/^<input /);
    expect(input).toContain('id="f1"');
    expect(input).toContain('aria-invalid="true"');
    expect(input).toContain('aria-describedby="f1-error"');
    expect(input).toContain('size="20"');
    expect(classesOf(input)).toContain('aria-[invalid=true]:border-red-600');
  });

  it('take the room their control size asks for', () => {
    const md = classesOf(html(Input, { controlSize: 'md', className: 'w-72' }));
    for (const c of ['py-1.5', 'text-sm', 'w-72']) expect(md).toContain(c);
    const xs = classesOf(html(Select, { controlSize: 'xs', 'aria-label': 'Show' }, createElement('option', { value: '' }, 'All')));
    expect(xs).toContain('py-0.5');
    expect(xs).not.toContain('text-sm');
    const textarea = html(Textarea, { 'aria-label': 'Names', className: 'h-8' });
    expect(textarea).toMatch(/^<textarea /);
    expect(classesOf(textarea)).toEqual(new Set([...classesOf(html(Input, {})), 'h-8']));
  });
});

describe('Table', () => {
  it("renders the native table parts with the header band and the caller's classes", () => {
    const markup = html(
      Table,
      { 'aria-label': 'Packages' },
      createElement(THead, null, createElement('tr', null, createElement(Th, { className: 'text-right' }, 'Deployments'))),
      createElement(TBody, null, createElement('tr', null, createElement(Td, null, '3'))),
    );
    expect(markup).toMatch(
      /^<table class="[^"]*border-slate-200[^"]*text-\[13px\][^"]*" aria-label="Packages"><thead class="bg-slate-50 text-left text-xs uppercase text-slate-500"><tr><th class="px-2 py-2 text-right">Deployments<\/th><\/tr><\/thead><tbody class="divide-y divide-slate-100"><tr><td class="px-2 py-1">3<\/td>/,
    );
    expect(html(Table, { framed: false, dense: false })).toBe('<table class="w-full text-sm"></table>');
  });
});
