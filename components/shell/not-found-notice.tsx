import { headers } from 'next/headers';
import Link from 'next/link';
import { navigation } from './navigation';

/** The console page an address belongs to (`/assets/devices/42` → Devices), if any. */
function sectionOf(path: string): { href: string; label: string } | undefined {
  const pathname = path.split('?')[0];
  const items: readonly { href: string; label: string }[] = navigation.flatMap((g): readonly { href: string; label: string }[] => g.items);
  return items.find((item) => pathname === item.href || pathname.startsWith(`${item.href}/`));
}

/**
 * What a not-found page says: the address asked for (as the proxy passed it on), and the way back
 * to the page it belongs to. Reading the address renders the page per request, which also gives
 * its scripts the request's CSP nonce: a prerendered page's would be refused.
 */
export async function NotFoundNotice() {
  const path = (await headers()).get('x-pathname') ?? '/';
  const section = sectionOf(path);
  return (
    <div className="max-w-md rounded-lg border border-slate-200 bg-white p-8 text-sm shadow-sm" role="alert">
      <h1 className="text-lg font-semibold text-slate-900">Not found</h1>
      <p className="mt-2 break-all text-slate-600">
        Nothing is at <code className="rounded bg-slate-100 px-1">{path}</code>: the address is mistyped, or what it named has been deleted.
      </p>
      <Link href={section?.href ?? '/'} className="mt-4 inline-block text-blue-700 hover:underline">
        {section ? `Back to ${section.label}` : 'Back to the console'}
      </Link>
    </div>
  );
}
