'use client';

import { useEffect, useRef } from 'react';

/**
 * A list above the selected item's details, filling the rest of the page's height so both are
 * in view at once (the page around it takes `h-full flex flex-col`); each scrolls on its own.
 * Where the viewport is too short for the split's minimum height, the page scrolls just far
 * enough to show the details whenever the selection changes.
 */
export function ListDetailsSplit({
  list,
  details,
  selectionKey,
}: {
  list: React.ReactNode;
  details: React.ReactNode;
  /** Changes when another item is selected; null while none is. */
  selectionKey: string | number | null;
}) {
  const detailsPane = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (selectionKey !== null) detailsPane.current?.scrollIntoView({ block: 'nearest' });
  }, [selectionKey]);
  return (
    <div className="flex min-h-[20rem] flex-1 flex-col gap-3" data-testid="list-details-split">
      <div className="flex min-h-[8rem] flex-1 flex-col">{list}</div>
      {details && (
        <div ref={detailsPane} className="max-h-[50%] shrink-0 overflow-y-auto rounded" data-testid="details-pane">
          {details}
        </div>
      )}
    </div>
  );
}
