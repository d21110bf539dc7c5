import path from 'node:path';
import { BUNDLE_NAME } from './install-layout';

/** Where `npm run agent:build` writes the client bundle, which the site serves for download. */
export const builtBundlePath = (root = process.cwd()) => path.join(root, 'dist', BUNDLE_NAME);
