'use client';

import clsx from 'clsx';
import { ChevronDown, ChevronRight } from 'lucide-react';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useState } from 'react';
import { navigation } from './navigation';

/** The left-hand tree: collapsible groups of real links, the current page highlighted. */
export function NavTree() {
  const pathname = usePathname();
  const [collapsed, setCollapsed] = useState<Record<string, boolean>>({});
  return (
    <nav aria-label="Console" className="space-y-3 p-3 text-sm">
      {navigation.map(({ group, items }) => {
        const open = !collapsed[group];
        const id = `nav-${group.toLowerCase()}`;
        return (
          <div key={group}>
            <button
              type="button"
              aria-expanded={open}
              aria-controls={id}
              onClick={() => setCollapsed((c) => ({ ...c, [group]: open }))}
              className="flex w-full items-center gap-1 rounded px-1 py-1 text-xs font-semibold uppercase tracking-wide text-slate-500 hover:bg-slate-200"
            >
              {open ? <ChevronDown size={14} aria-hidden /> : <ChevronRight size={14} aria-hidden />}
              {group}
            </button>
            {open && (
              <ul id={id} className="mt-1 space-y-0.5">
                {items.map((item) => {
                  const current = pathname === item.href || pathname.startsWith(`${item.href}/`);
                  return (
                    <li key={item.href}>
                      <Link
                        href={item.href}
                        aria-current={current ? 'page' : undefined}
                        className={clsx(
                          'block rounded py-1 pl-6 pr-2',
                          current ? 'bg-blue-700 font-medium text-white' : 'text-slate-700 hover:bg-slate-200',
                        )}
                      >
                        {item.label}
                      </Link>
                    </li>
                  );
                })}
              </ul>
            )}
          </div>
        );
      })}
    </nav>
  );
}
