/** The title of a console page, with an optional line saying what it shows. */
export function PageHeader({ title, description, children }: { title: string; description?: string; children?: React.ReactNode }) {
  return (
    <header className="mb-4 flex items-end justify-between gap-4 border-b border-slate-200 pb-3">
      <div>
        <h1 className="text-lg font-semibold text-slate-900">{title}</h1>
        {description && <p className="text-sm text-slate-500">{description}</p>}
      </div>
      {children}
    </header>
  );
}
