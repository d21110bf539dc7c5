import { config } from '../../lib/config';
import { pool } from '../../lib/db/pool';
import { startInventoryLoader } from '../../lib/inventory/inventory-loader';
import { defineWorker } from '../../lib/workers/define-worker';

/** Inventory Data Loader: loads the hardware and software inventory reports management points accepted. */
export default defineWorker({
  name: 'inventory-loader',
  description: 'Loads client hardware and software inventory reports from the inventory inbox',
  async start({ log, signal }) {
    return startInventoryLoader({ db: pool(), connectionString: config().databaseUrl, log, signal });
  },
});
