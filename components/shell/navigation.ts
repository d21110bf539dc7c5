/** The console's navigation tree, grouped as in the Administrator Console. */
export const navigation = [
  {
    group: 'Monitoring',
    items: [
      { href: '/monitoring/site-status', label: 'Site Status' },
      { href: '/monitoring/site-hierarchy', label: 'Site Hierarchy' },
      { href: '/monitoring/component-status', label: 'Component Status' },
      { href: '/monitoring/site-system-status', label: 'Site System Status' },
      { href: '/monitoring/status-messages', label: 'Status Messages' },
      { href: '/monitoring/client-status', label: 'Client Status' },
      { href: '/monitoring/client-operations', label: 'Client Operations' },
      { href: '/monitoring/deployments', label: 'Deployments' },
    ],
  },
  {
    group: 'Assets',
    items: [
      { href: '/assets/devices', label: 'Devices' },
      { href: '/assets/collections', label: 'Collections' },
      { href: '/assets/packages', label: 'Packages' },
      { href: '/assets/software-metering', label: 'Software Metering' },
      { href: '/assets/scripts', label: 'Scripts' },
    ],
  },
  {
    group: 'Administration',
    items: [
      { href: '/administration/site-settings', label: 'Site Settings' },
      { href: '/administration/status-filter-rules', label: 'Status Filter Rules' },
      { href: '/administration/status-summarizers', label: 'Status Summarizers' },
      { href: '/administration/users', label: 'Users' },
    ],
  },
] as const;
